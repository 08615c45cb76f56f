{
  # Sources come from native/sources.txt, the list CMakeLists.txt reads too.
  # Opt-ins, recorded in buildInfo() and so in every result file:
  #   MAPBENCH_PAD=128             pad shared lines to 128 bytes (default 64)
  #   MAPBENCH_MARCH_NATIVE=1      compile with -march=native
  # Peer maps (native/peers/) are found by scripts/detect-peers.mjs;
  # MAPBENCH_PEERS=none builds without them, MAPBENCH_PEERS=tbb,urcu exactly those.
  "variables": {
    "mb_pad%": "<!(node -p \"process.env.MAPBENCH_PAD || 64\")",
    "mb_native%": "<!(node -p \"process.env.MAPBENCH_MARCH_NATIVE === '1' ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "mapbench",
      "sources": [
        "native/addon/addon.cc",
        "<!@(node -p \"require('fs').readFileSync('native/sources.txt','utf8').trim().split(/\\s+/).join(' ')\")"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "MAPBENCH_PAD=<(mb_pad)",
        "MAPBENCH_BUILD_SYSTEM=\"node-gyp\"",
        "<!@(node scripts/detect-peers.mjs defines)"
      ],
      "libraries": ["<!@(node scripts/detect-peers.mjs libs)"],
      "cflags!": ["-fno-exceptions", "-O2", "-O0"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-O2", "-O0"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "<!@(node scripts/detect-peers.mjs cflags)"],
      "conditions": [
        ["mb_native==1", {
          "cflags_cc": ["-march=native"],
          "defines": ["MAPBENCH_MARCH_NATIVE", "MAPBENCH_CXX_FLAGS=\"-std=c++20 -O3 -fno-omit-frame-pointer -g -march=native\""]
        }, {
          "defines": ["MAPBENCH_CXX_FLAGS=\"-std=c++20 -O3 -fno-omit-frame-pointer -g\""]
        }]
      ],
      "configurations": {
        "Release": {
          "cflags_cc": ["-O3", "-fno-omit-frame-pointer", "-g"],
          "cflags": ["-O3", "-fno-omit-frame-pointer", "-g"]
        }
      }
    }
  ]
}
