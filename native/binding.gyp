# Lifeboat's native helpers: nanosecond timestamps, extended attributes, directory scans,
# index files.
# Plain C against Node-API (no node-addon-api); built by the node-gyp that npm bundles,
# from package.json's "install" script. Output: build/Release/fs_native.node.
{
  "targets": [
    {
      "target_name": "fs_native",
      "sources": ["src/fs_native.c", "src/dir_scan.c", "src/scan_ahead.c", "src/index_decode.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
      }
    }
  ]
}
