// test_json_writer.cc — mapbench::json (native/runtime/json_writer.h):
// string escaping (quotes, backslashes, every control character, UTF-8
// passed through, invalid bytes replaced), numbers (integers exact to 64
// bits; doubles in ECMAScript's Number::toString form and round-tripping
// through strtod, for hand-picked edges and a million random bit patterns),
// document structure (commas, nesting, indentation, member order, set()
// replacing in place) and misuse (throws, never writes bad JSON).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include "check.h"
#include "runtime/json_writer.h"

namespace json = mapbench::json;

namespace {

std::string str(std::string_view s) {
  std::string out;
  json::append_string(out, s);
  return out;
}

template <class F>
bool throws(F&& f) {
  try {
    f();
  } catch (const std::exception&) {
    return true;
  }
  return false;
}

// Reads text back the way a JSON reader does, and compares bit patterns.
void check_round_trip(double x) {
  const std::string text = json::number_text(x);
  char* end = nullptr;
  const double back = std::strtod(text.c_str(), &end);
  CHECK(*end == '\0', "unparsed tail in '", text, "'");
  std::uint64_t a, b;
  const double want = x == 0 ? 0.0 : x;  // -0 is written 0
  std::memcpy(&a, &want, 8);
  std::memcpy(&b, &back, 8);
  CHECK_EQ(a, b, "'", text, "' does not read back to the double written");
}

}  // namespace

int main() {
  mbtest::Suite suite("test_json_writer");

  suite.run("strings: quotes, backslashes and control characters are escaped", [] {
    CHECK_EQ(str(""), std::string("\"\""));
    CHECK_EQ(str("plain"), std::string("\"plain\""));
    CHECK_EQ(str("a\"b"), std::string("\"a\\\"b\""));
    CHECK_EQ(str("a\\b"), std::string("\"a\\\\b\""));
    CHECK_EQ(str("\b\f\n\r\t"), std::string("\"\\b\\f\\n\\r\\t\""));
    CHECK_EQ(str(std::string_view("\0", 1)), std::string("\"\\u0000\""));
    CHECK_EQ(str("\x01\x1f"), std::string("\"\\u0001\\u001f\""));
    // Not escaped by JSON.stringify either: '/', DEL, and printable ASCII.
    CHECK_EQ(str("/\x7f~"), std::string("\"/\x7f~\""));
    for (int c = 0; c < 0x20; ++c) {
      const std::string out = str(std::string(1, static_cast<char>(c)));
      CHECK(out.size() >= 4 && out[1] == '\\', "control character ", c, " not escaped: ", out);
    }
  });

  suite.run("strings: UTF-8 passes through, invalid bytes become U+FFFD", [] {
    CHECK_EQ(str("µs ±3% → ok 😀"), std::string("\"µs ±3% → ok 😀\""));
    CHECK_EQ(str("a\xff" "b"), std::string("\"a\xEF\xBF\xBD" "b\""));          // never a UTF-8 byte
    CHECK_EQ(str("\xc3"), std::string("\"\xEF\xBF\xBD\""));                     // truncated sequence
    CHECK_EQ(str("\xc0\xaf"), std::string("\"\xEF\xBF\xBD\xEF\xBF\xBD\""));     // overlong '/'
    CHECK_EQ(str("\xed\xa0\x80"), std::string("\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""));  // a surrogate
    CHECK_EQ(str("\xf4\x90\x80\x80").find("\xEF\xBF\xBD"), std::size_t{1});    // above U+10FFFF
  });

  suite.run("integers: exact to 64 bits, signed and unsigned", [] {
    auto text = [](auto x) {
      json::JsonWriter w;
      w.value(x);
      return w.str();
    };
    CHECK_EQ(text(0), std::string("0"));
    CHECK_EQ(text(-1), std::string("-1"));
    CHECK_EQ(text(std::numeric_limits<std::uint64_t>::max()), std::string("18446744073709551615"));
    CHECK_EQ(text(std::numeric_limits<std::int64_t>::min()), std::string("-9223372036854775808"));
    CHECK_EQ(text(std::uint64_t{9007199254740993}), std::string("9007199254740993"));  // 2^53 + 1, not a double
    CHECK_EQ(json::to_text(json::Value(std::uint32_t{4294967295u})), std::string("4294967295"));
  });

  suite.run("doubles: ECMAScript Number::toString form", [] {
    const std::pair<double, const char*> cases[] = {
        {0.0, "0"},
        {-0.0, "0"},
        {1.0, "1"},
        {-2.5, "-2.5"},
        {0.1, "0.1"},
        {0.5, "0.5"},
        {0.9, "0.9"},
        {1.0 / 3.0, "0.3333333333333333"},
        {100.0, "100"},
        {2e7, "20000000"},
        {20016666.666666668, "20016666.666666668"},
        {3.5000000000000004, "3.5000000000000004"},
        {9007199254740992.0, "9007199254740992"},
        {123456789012345680000.0, "123456789012345680000"},
        {1e21, "1e+21"},
        {1.5e300, "1.5e+300"},
        {0.000001, "0.000001"},
        {0.0000012345, "0.0000012345"},
        {1e-7, "1e-7"},
        {1.25e-8, "1.25e-8"},
        {5e-324, "5e-324"},
        {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
        {std::numeric_limits<double>::min(), "2.2250738585072014e-308"},
        {1e6 * 0.99, "990000"},
        {500 * 1e-3, "0.5"},
    };
    for (const auto& [x, want] : cases) {
      CHECK_EQ(json::number_text(x), std::string(want));
      check_round_trip(x);
    }
  });

  suite.run("doubles: a million random bit patterns round-trip", [] {
    std::mt19937_64 rng(20250101);
    std::uint64_t checked = 0;
    for (std::uint64_t i = 0; i < mbtest::scaled(1000000, 10000); ++i) {
      const std::uint64_t bits = rng();
      double x;
      std::memcpy(&x, &bits, 8);
      if (!std::isfinite(x)) continue;
      check_round_trip(x);
      ++checked;
    }
    // And values near the notation switches (1e21, 1e-7) and near integers.
    for (int e = -9; e <= 23; ++e)
      for (double m : {1.0, 1.5, 9.999999999999998, 1.0000000000000002}) {
        check_round_trip(m * std::pow(10.0, e));
        ++checked;
      }
    CHECK_GT(checked, std::uint64_t{9000});
  });

  suite.run("doubles: NaN and infinities throw, nothing is written", [] {
    CHECK(throws([] { json::number_text(std::nan("")); }));
    CHECK(throws([] { json::number_text(std::numeric_limits<double>::infinity()); }));
    json::Value doc = json::Value::object();
    doc.set("x", -std::numeric_limits<double>::infinity());
    CHECK(throws([&] { json::to_text(doc); }));
  });

  suite.run("structure: commas, nesting, member order, null and bool", [] {
    json::Value doc = json::Value::object();
    doc.set("b", 1).set("a", json::Array{json::Value(), true, false, "s", 1.5});
    doc.set("empty", json::Value::object()).set("none", json::Value::array());
    json::Value inner = json::Value::object();
    inner.set("k", "v");
    doc.set("nested", json::Array{inner, json::Array{1, 2}});
    CHECK_EQ(json::to_text(doc),
             std::string(R"({"b":1,"a":[null,true,false,"s",1.5],"empty":{},"none":[],"nested":[{"k":"v"},[1,2]]})"));
    doc.set("b", "replaced");  // in place: the order of members stays
    CHECK_EQ(doc.members().front().first, std::string("b"));
    CHECK_EQ(doc.find("b")->as_string(), std::string("replaced"));
    CHECK(doc.find("missing") == nullptr);
  });

  suite.run("structure: indentation as JSON.stringify(x, null, 1)", [] {
    json::Value doc = json::Value::object();
    doc.set("a", json::Array{1, 2}).set("e", json::Value::array()).set("o", json::Value::object());
    CHECK_EQ(json::to_text(doc, 1), std::string("{\n \"a\": [\n  1,\n  2\n ],\n \"e\": [],\n \"o\": {}\n}"));
    CHECK_EQ(json::to_text(json::Value("top")), std::string("\"top\""));
  });

  suite.run("streaming: keys escaped, misuse throws", [] {
    json::JsonWriter w;
    w.begin_object().key("a\"b").value(std::uint64_t{1}).key("c").begin_array().value(2.5).null().end_array().end_object();
    CHECK_EQ(w.str(), std::string(R"({"a\"b":1,"c":[2.5,null]})"));
    CHECK(throws([] { json::JsonWriter x; x.begin_object().value(1); }), "a value without a key");
    CHECK(throws([] { json::JsonWriter x; x.key("k"); }), "a key outside an object");
    CHECK(throws([] { json::JsonWriter x; x.begin_array().key("k"); }), "a key in an array");
    CHECK(throws([] { json::JsonWriter x; x.begin_object().key("a").key("b"); }), "two keys in a row");
    CHECK(throws([] { json::JsonWriter x; x.begin_array().end_object(); }), "closing the wrong container");
    CHECK(throws([] { json::JsonWriter x; x.begin_object().key("a").end_object(); }), "a key with no value");
    CHECK(throws([] { json::JsonWriter x; x.value(1).value(2); }), "two top-level values");
    CHECK(throws([] { json::JsonWriter x; x.begin_array(); (void)x.str(); }), "str() of an open document");
    CHECK(throws([] { json::Value v(1); v.set("k", 2); }), "set() on a number");
  });

  return suite.finish();
}
