// json_writer.h — the one JSON writer of the native side: a streaming
// JsonWriter (objects, arrays, strings, numbers, null, bool) and a small
// ordered document type, json::Value, that the writer serializes. The
// runner without Node (bench/native/) builds its result documents as Values
// and writes them only through JsonWriter; nothing prints JSON by hand.
//
// Numbers:
//   integers  (any integral type) are written exactly, all 64 bits;
//   doubles   are written as ECMAScript's Number::toString writes them
//             (String(x) in JS, and what JSON.stringify writes): the
//             shortest digits that read back to the same double, in fixed
//             notation for decimal exponents in [-7, 21) and as d.ddde±x
//             outside it; -0 is written 0. So every double round-trips, and
//             the text is the one the TypeScript harness would write for it
//             (cell keys such as `lf=0.5` depend on that: number_text()).
//             NaN and infinities have no JSON form: writing one throws
//             std::domain_error rather than writing something a reader
//             would take for a number.
// Strings: `"` and `\` escaped, control characters below 0x20 written as
//   \b \f \n \r \t or \u00XX, everything else passed through as UTF-8.
//   Bytes that are not valid UTF-8 (a hostname or CPU model from a broken
//   locale) are replaced by U+FFFD, so the output is always valid JSON.
// Misuse (a value where a key is due, a key outside an object, closing the
// wrong container, reading str() before the document is complete) throws
// std::logic_error.
//
// indent 0 writes everything on one line; indent n > 0 puts every member
// and element on its own line, n spaces per level (JSON.stringify's layout).
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace mapbench::json {

// ECMAScript Number::toString of a finite double (see the header comment).
// Throws std::domain_error for NaN and infinities.
inline std::string number_text(double x) {
  if (!std::isfinite(x)) throw std::domain_error("JSON has no representation for NaN or infinity");
  if (x == 0) return "0";
  std::string out;
  if (x < 0) {
    out.push_back('-');
    x = -x;
  }
  // Shortest round-trip digits, from to_chars in scientific form: d[.ddd]e±XX.
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::scientific);
  if (r.ec != std::errc()) throw std::domain_error("number_text: to_chars failed");
  const std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  const std::size_t e_at = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_at))
    if (c != '.') digits.push_back(c);
  int exp10 = 0;
  std::from_chars(sci.data() + e_at + 1 + (sci[e_at + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp10);
  // ECMAScript's terms: the value is digits x 10^(n - k), k digits.
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(n), std::string::npos);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out += std::to_string(n - 1 >= 0 ? n - 1 : 1 - n);
  }
  return out;
}

// Appends `s` as a JSON string literal, quotes included (see the header comment).
inline void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // A multi-byte UTF-8 sequence: its length from the lead byte, and the
    // range its second byte must fall in (which excludes overlong forms,
    // surrogates and code points above U+10FFFF).
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
      len = 2;
    else if (c == 0xE0)
      len = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC)
      len = 3;
    else if (c == 0xED)
      len = 3, hi = 0x9F;
    else if (c >= 0xEE && c <= 0xEF)
      len = 3;
    else if (c == 0xF0)
      len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3)
      len = 4;
    else if (c == 0xF4)
      len = 4, hi = 0x8F;
    bool valid = len > 0 && i + len <= n && p[i + 1] >= lo && p[i + 1] <= hi;
    for (std::size_t j = 2; valid && j < len; ++j) valid = p[i + j] >= 0x80 && p[i + j] <= 0xBF;
    if (valid) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD for the invalid byte
      ++i;
    }
  }
  out.push_back('"');
}

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;

// A JSON document: null, bool, integer (signed or unsigned 64-bit), double,
// string, array, or object whose members keep the order they were set in.
class Value {
 public:
  enum class Kind : std::uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : kind_(Kind::kBool), bool_(b) {}
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) Value(T x) {
    if constexpr (std::is_signed_v<T>) {
      kind_ = Kind::kInt;
      int_ = static_cast<std::int64_t>(x);
    } else {
      kind_ = Kind::kUint;
      uint_ = static_cast<std::uint64_t>(x);
    }
  }
  template <class T>
  requires std::is_floating_point_v<T> Value(T x) : kind_(Kind::kDouble), double_(static_cast<double>(x)) {}
  Value(const char* s) : kind_(Kind::kString), string_(s) {}
  Value(std::string s) : kind_(Kind::kString), string_(std::move(s)) {}
  Value(std::string_view s) : kind_(Kind::kString), string_(s) {}
  Value(Array a) : kind_(Kind::kArray), array_(std::move(a)) {}

  static Value object() {
    Value v;
    v.kind_ = Kind::kObject;
    return v;
  }
  static Value array() { return Value(Array{}); }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }

  // Objects: sets `key` (replacing its value in place if present, else
  // appending it); returns *this for chaining.
  Value& set(std::string_view key, Value v) {
    require(Kind::kObject, "set");
    for (auto& m : members_)
      if (m.first == key) {
        m.second = std::move(v);
        return *this;
      }
    members_.emplace_back(std::string(key), std::move(v));
    return *this;
  }
  // Objects: the value of `key`, or nullptr.
  const Value* find(std::string_view key) const {
    require(Kind::kObject, "find");
    for (const auto& m : members_)
      if (m.first == key) return &m.second;
    return nullptr;
  }
  const std::vector<Member>& members() const {
    require(Kind::kObject, "members");
    return members_;
  }
  // Arrays: appends.
  Value& push(Value v) {
    require(Kind::kArray, "push");
    array_.push_back(std::move(v));
    return *this;
  }
  const Array& elements() const {
    require(Kind::kArray, "elements");
    return array_;
  }

  bool as_bool() const { return require(Kind::kBool, "as_bool"), bool_; }
  std::int64_t as_int() const { return require(Kind::kInt, "as_int"), int_; }
  std::uint64_t as_uint() const { return require(Kind::kUint, "as_uint"), uint_; }
  double as_double() const { return require(Kind::kDouble, "as_double"), double_; }
  const std::string& as_string() const { return require(Kind::kString, "as_string"), string_; }

 private:
  void require(Kind k, const char* what) const {
    if (kind_ != k) throw std::logic_error(std::string("json::Value::") + what + " on a value of another kind");
  }

  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::int64_t int_ = 0;
  std::uint64_t uint_ = 0;
  double double_ = 0;
  std::string string_;
  Array array_;
  std::vector<Member> members_;
};

class JsonWriter {
 public:
  explicit JsonWriter(int indent = 0) : indent_(indent < 0 ? 0 : indent) {}

  JsonWriter& begin_object() { return open('{', Frame::kObject); }
  JsonWriter& end_object() { return close('}', Frame::kObject); }
  JsonWriter& begin_array() { return open('[', Frame::kArray); }
  JsonWriter& end_array() { return close(']', Frame::kArray); }

  JsonWriter& key(std::string_view k) {
    if (stack_.empty() || stack_.back().kind != Frame::kObject || stack_.back().key_pending)
      throw std::logic_error("JsonWriter: a key outside an object, or two keys in a row");
    separate();
    append_string(out_, k);
    out_ += indent_ ? ": " : ":";
    stack_.back().key_pending = true;
    return *this;
  }

  JsonWriter& null() { return scalar("null"); }
  JsonWriter& value(bool b) { return scalar(b ? "true" : "false"); }
  JsonWriter& value(std::string_view s) {
    before_value();
    append_string(out_, s);
    return after_value();
  }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) JsonWriter& value(T x) {
    return scalar(std::to_string(x));
  }
  template <class T>
  requires std::is_floating_point_v<T> JsonWriter& value(T x) { return scalar(number_text(static_cast<double>(x))); }
  // Writes a whole document.
  JsonWriter& value(const Value& v) {
    switch (v.kind()) {
      case Value::Kind::kNull:
        return null();
      case Value::Kind::kBool:
        return value(v.as_bool());
      case Value::Kind::kInt:
        return value(v.as_int());
      case Value::Kind::kUint:
        return value(v.as_uint());
      case Value::Kind::kDouble:
        return value(v.as_double());
      case Value::Kind::kString:
        return value(std::string_view(v.as_string()));
      case Value::Kind::kArray:
        begin_array();
        for (const auto& e : v.elements()) value(e);
        return end_array();
      case Value::Kind::kObject:
        begin_object();
        for (const auto& [k, e] : v.members()) {
          key(k);
          value(e);
        }
        return end_object();
    }
    return *this;
  }

  // True once one complete value has been written.
  bool complete() const { return done_ && stack_.empty(); }
  // The text written; requires complete().
  const std::string& str() const {
    if (!complete()) throw std::logic_error("JsonWriter: the document is not complete");
    return out_;
  }

 private:
  struct Frame {
    enum Kind : std::uint8_t { kObject, kArray } kind;
    bool empty = true;
    bool key_pending = false;
  };

  // A newline and the indentation of the current depth (indent > 0 only).
  void newline() {
    if (!indent_) return;
    out_.push_back('\n');
    out_.append(stack_.size() * static_cast<std::size_t>(indent_), ' ');
  }
  // The comma and line break before an array element or an object key.
  void separate() {
    Frame& f = stack_.back();
    if (!f.empty) out_.push_back(',');
    f.empty = false;
    newline();
  }
  void before_value() {
    if (stack_.empty()) {
      if (done_) throw std::logic_error("JsonWriter: a second value after the document ended");
      return;
    }
    Frame& f = stack_.back();
    if (f.kind == Frame::kObject) {
      if (!f.key_pending) throw std::logic_error("JsonWriter: a value in an object needs a key first");
      f.key_pending = false;
    } else {
      separate();
    }
  }
  JsonWriter& after_value() {
    if (stack_.empty()) done_ = true;
    return *this;
  }
  JsonWriter& scalar(const std::string& text) {
    before_value();
    out_ += text;
    return after_value();
  }
  JsonWriter& open(char c, Frame::Kind kind) {
    before_value();
    out_.push_back(c);
    stack_.push_back(Frame{kind});
    return *this;
  }
  JsonWriter& close(char c, Frame::Kind kind) {
    if (stack_.empty() || stack_.back().kind != kind || stack_.back().key_pending)
      throw std::logic_error("JsonWriter: closing a container that is not open, or after a key with no value");
    const bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty) newline();
    out_.push_back(c);
    return after_value();
  }

  std::string out_;
  std::vector<Frame> stack_;
  int indent_;
  bool done_ = false;
};

// A whole document as text.
inline std::string to_text(const Value& v, int indent = 0) {
  JsonWriter w(indent);
  w.value(v);
  return w.str();
}

}  // namespace mapbench::json
