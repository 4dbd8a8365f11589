# Lifeboat's native helpers: nanosecond timestamps and extended attributes.
# Plain C against Node-API (no node-addon-api); built by the node-gyp that npm bundles,
# from package.json's "install" script. Output: build/Release/fs_native.node.
{
  "targets": [
    {
      "target_name": "fs_native",
      "sources": ["src/fs_native.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
      }
    }
  ]
}
