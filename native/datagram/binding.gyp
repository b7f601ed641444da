{
  "targets": [
    {
      "target_name": "datagram",
      "sources": ["src/datagram.c"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
