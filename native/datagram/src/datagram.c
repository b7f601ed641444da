/*
 * A connected UDP socket for one TFTP transfer (the server's TID, RFC 1350 §4),
 * watched by a uv_poll_t on the event loop of the thread that opened it (transfers
 * run in worker threads, each with its own loop).
 *
 * Why not node:dgram: per datagram it allocates a 64 KiB buffer and shrinks it,
 * builds an rinfo object (inet_ntop, property by property), a Buffer, and reads
 * until EAGAIN; per send it wraps a request. On a lock-step transfer that was about
 * a third of the server's CPU per block. Here a readiness reads ONE datagram into a
 * buffer JavaScript gave once (libuv's poll is level-triggered: a second datagram
 * brings the next turn) and passes its length; the socket is connected, so the
 * address is known and only the peer's datagrams arrive. send() is one send(2).
 *
 * Nothing is parsed here: bytes in, bytes out, lengths and errno values.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <node_api.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

typedef struct {
  uv_poll_t poll;
  napi_env env;
  int fd;
  int closed;
  int tearing_down;
  /* Freed when both happened: the poll handle's close callback and the external's finalizer. */
  int refs;
  napi_ref callback;
  napi_ref buffer_ref;
  char *buffer;
  size_t buffer_len;
  napi_async_context context;
  napi_async_cleanup_hook_handle cleanup;
} sock_t;

static void unref(sock_t *s) {
  if (--s->refs == 0) free(s);
}

static void on_closed(uv_handle_t *handle) {
  sock_t *s = handle->data;
  /* Here, not in shut(): close() may come from inside a callback still using the context. */
  if (!s->tearing_down) napi_async_destroy(s->env, s->context);
  if (s->cleanup != NULL) napi_remove_async_cleanup_hook(s->cleanup);
  s->cleanup = NULL;
  unref(s);
}

/*
 * Stops the watcher (libuv removes the fd from its epoll at once), closes the fd,
 * and lets go of the JavaScript objects unless the environment is being torn down.
 */
static void shut(sock_t *s, int tearing_down) {
  if (s->closed) return;
  s->closed = 1;
  s->tearing_down = tearing_down;
  uv_poll_stop(&s->poll);
  close(s->fd);
  s->fd = -1;
  if (!tearing_down) {
    napi_delete_reference(s->env, s->callback);
    napi_delete_reference(s->env, s->buffer_ref);
  }
  s->callback = s->buffer_ref = NULL;
  s->buffer = NULL;
  uv_close((uv_handle_t *)&s->poll, on_closed);
}

/* Worker exit / process end with the socket still open: Node waits for the close callback. */
static void on_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  (void)handle;
  shut(arg, 1);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  unref(data);
}

/* An exception from the callback is not swallowed: it becomes the thread's uncaught exception. */
static void rethrow_pending(napi_env env, napi_status status) {
  napi_value error;
  if (status == napi_pending_exception && napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
}

/* callback(length) for a datagram, callback(-errno) for an error (ECONNREFUSED: ICMP port unreachable). */
static void deliver(sock_t *s, int value) {
  napi_handle_scope scope;
  napi_value fn, recv, arg;
  if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
  napi_get_reference_value(s->env, s->callback, &fn);
  napi_get_global(s->env, &recv); /* MakeCallback wants an object receiver */
  napi_create_int32(s->env, value, &arg);
  rethrow_pending(s->env, napi_make_callback(s->env, s->context, recv, fn, 1, &arg, NULL));
  napi_close_handle_scope(s->env, scope);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  sock_t *s = handle->data;
  if (s->closed) return;
  if (status < 0) {
    /*
     * libuv reports EPOLLERR as UV_EBADF and stops the watcher; the socket's own
     * error (ECONNREFUSED from an ICMP port unreachable) is the one that matters.
     */
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error == 0) error = -status;
    else uv_poll_start(&s->poll, UV_READABLE, on_readable);
    deliver(s, -error);
    return;
  }
  ssize_t n;
  do n = recv(s->fd, s->buffer, s->buffer_len, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n >= 0) deliver(s, (int)n);
  else if (errno != EAGAIN && errno != EWOULDBLOCK) deliver(s, -errno);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, "ERR_INVALID_ARG_VALUE", message);
  return NULL;
}

static napi_value errno_value(napi_env env, int error) {
  napi_value out;
  napi_create_int32(env, -error, &out);
  return out;
}

/* An IP literal (a v6 one may carry %scope) into `out`; v4 is mapped when `want6`. */
static int parse_address(napi_env env, napi_value value, int port, int want6, struct sockaddr_storage *out, socklen_t *len) {
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  size_t got = 0;
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &got) != napi_ok || got == 0 || got >= sizeof text - 1) return -1;
  memset(out, 0, sizeof *out);
  struct sockaddr_in *v4 = (struct sockaddr_in *)out;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
  if (!want6 && inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *len = sizeof *v4;
    return 0;
  }
  if (!want6) return -1;
  char *scope = strchr(text, '%');
  if (scope != NULL) *scope++ = '\0';
  struct in_addr mapped;
  if (scope == NULL && inet_pton(AF_INET, text, &mapped) == 1) {
    v6->sin6_addr.s6_addr[10] = v6->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&v6->sin6_addr.s6_addr[12], &mapped, 4);
  } else if (inet_pton(AF_INET6, text, &v6->sin6_addr) != 1) {
    return -1;
  }
  if (scope != NULL) {
    char *end;
    unsigned long index = strtoul(scope, &end, 10);
    v6->sin6_scope_id = *end == '\0' && *scope != '\0' ? (uint32_t)index : if_nametoindex(scope);
    if (v6->sin6_scope_id == 0) return -1;
  }
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons((uint16_t)port);
  *len = sizeof *v6;
  return 0;
}

/* The socket, bound to host:0 beside an unconnected twin (SO_REUSEADDR) and connected to the peer; -errno on failure. */
static int open_connected(const struct sockaddr_storage *host, socklen_t host_len, const struct sockaddr_storage *peer, socklen_t peer_len) {
  int fd = socket(host->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 || bind(fd, (const struct sockaddr *)host, host_len) != 0 ||
      connect(fd, (const struct sockaddr *)peer, peer_len) != 0) {
    int error = errno;
    close(fd);
    return -error;
  }
  return fd;
}

/*
 * open(host, peerAddress, peerPort, receiveBuffer, callback) -> handle, or -errno when the
 * system refuses (no descriptor, address not available). Throws on bad arguments.
 */
static napi_value open_socket(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], result, name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t port = -1;
  bool is_buffer = false;
  napi_valuetype kind = napi_undefined;
  if (argc == 5) {
    napi_get_value_int32(env, argv[2], &port);
    napi_is_buffer(env, argv[3], &is_buffer);
    napi_typeof(env, argv[4], &kind);
  }
  if (port < 1 || port > 65535 || !is_buffer || kind != napi_function)
    return fail(env, "datagram: open(host, peerAddress, peerPort 1-65535, receiveBuffer, callback)");
  struct sockaddr_storage host, peer;
  socklen_t host_len, peer_len;
  int want6 = 0;
  if (parse_address(env, argv[0], 0, 0, &host, &host_len) != 0) {
    want6 = 1;
    if (parse_address(env, argv[0], 0, 1, &host, &host_len) != 0) return fail(env, "datagram: host is not an IP address");
  }
  if (parse_address(env, argv[1], port, want6, &peer, &peer_len) != 0) return fail(env, "datagram: peerAddress is not an IP address of the host's family");
  void *data = NULL;
  size_t length = 0;
  napi_get_buffer_info(env, argv[3], &data, &length);
  if (length == 0) return fail(env, "datagram: receiveBuffer is empty");
  sock_t *s = calloc(1, sizeof *s);
  if (s == NULL) return errno_value(env, ENOMEM);
  uv_loop_t *loop = NULL;
  int fd = open_connected(&host, host_len, &peer, peer_len);
  if (fd < 0 || napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &s->poll, fd) != 0) {
    if (fd >= 0) close(fd);
    free(s);
    return errno_value(env, fd < 0 ? -fd : EINVAL);
  }
  s->poll.data = s;
  s->env = env;
  s->fd = fd;
  s->refs = 2;
  s->buffer = data;
  s->buffer_len = length;
  napi_create_reference(env, argv[4], 1, &s->callback);
  napi_create_reference(env, argv[3], 1, &s->buffer_ref);
  napi_create_string_utf8(env, "epnbox.datagram", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->context);
  napi_add_async_cleanup_hook(env, on_teardown, s, &s->cleanup);
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  napi_create_external(env, s, on_finalize, NULL, &result);
  return result;
}

static sock_t *sock_arg(napi_env env, napi_value value) {
  napi_valuetype kind = napi_undefined;
  void *data = NULL;
  if (napi_typeof(env, value, &kind) != napi_ok || kind != napi_external || napi_get_value_external(env, value, &data) != napi_ok) return NULL;
  return data;
}

/* send(handle, buffer, length) -> bytes sent, or -errno (EAGAIN: a full send buffer, the datagram is lost). */
static napi_value send_datagram(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc == 3 ? sock_arg(env, argv[0]) : NULL;
  void *data = NULL;
  size_t size = 0;
  uint32_t length = 0;
  if (s == NULL || napi_get_buffer_info(env, argv[1], &data, &size) != napi_ok || napi_get_value_uint32(env, argv[2], &length) != napi_ok || length > size)
    return fail(env, "datagram: send(handle, buffer, length <= buffer.length)");
  if (s->closed) return errno_value(env, EBADF);
  ssize_t n;
  do n = send(s->fd, data, length, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  napi_value out;
  napi_create_int32(env, n < 0 ? -errno : (int32_t)n, &out);
  return out;
}

/*
 * sendParts(handle, head, body) -> bytes sent, or -errno, as send(). One datagram made of
 * two buffers (sendmsg with two iovecs): a TFTP DATA header and the block's bytes where
 * they already are — a cached file lives in a SharedArrayBuffer, which JavaScript can
 * only copy with relaxed atomics (~2.5 us for 8 KiB against ~0.2 us for plain memory).
 */
static napi_value send_parts(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc == 3 ? sock_arg(env, argv[0]) : NULL;
  struct iovec parts[2] = {{0}};
  if (s == NULL || napi_get_buffer_info(env, argv[1], &parts[0].iov_base, &parts[0].iov_len) != napi_ok ||
      napi_get_buffer_info(env, argv[2], &parts[1].iov_base, &parts[1].iov_len) != napi_ok)
    return fail(env, "datagram: sendParts(handle, head, body)");
  if (s->closed) return errno_value(env, EBADF);
  struct msghdr message = {.msg_iov = parts, .msg_iovlen = 2};
  ssize_t n;
  do n = sendmsg(s->fd, &message, MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  napi_value out;
  napi_create_int32(env, n < 0 ? -errno : (int32_t)n, &out);
  return out;
}

static int64_t monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/*
 * awaitReadable(handle, maxNanoseconds) -> the nanoseconds it took until a datagram (or an
 * error) was waiting, or -1 when none came within the budget. A busy wait, on purpose: on
 * a fast link the client's answer comes back sooner than a sleeping thread is woken (on
 * this kind of VM a wake-up across CPUs costs ~20-25 us each way). Nothing is read: the
 * event loop's next turn finds the socket ready without sleeping and reads it as usual.
 * Bounded by the caller's budget; the scheduler may still preempt it like any running code.
 */
static napi_value await_readable(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc == 2 ? sock_arg(env, argv[0]) : NULL;
  double given = -1;
  /* NaN fails both comparisons: refused like any value out of range. */
  if (s == NULL || napi_get_value_double(env, argv[1], &given) != napi_ok || !(given >= 0 && given <= 1e9))
    return fail(env, "datagram: awaitReadable(handle, maxNanoseconds 0-1e9)");
  int64_t budget = (int64_t)given;
  int64_t waited = -1;
  if (!s->closed) {
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    int64_t start = monotonic_ns(), now = start;
    do {
      if (poll(&p, 1, 0) > 0) {
        waited = now - start;
        break;
      }
      now = monotonic_ns();
    } while (now - start <= budget);
  }
  napi_create_int64(env, waited, &out);
  return out;
}

/* localPort(handle) -> the bound port (the transfer's TID), 0 once closed. */
static napi_value local_port(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc == 1 ? sock_arg(env, argv[0]) : NULL;
  if (s == NULL) return fail(env, "datagram: localPort(handle)");
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;
  int port = 0;
  if (!s->closed && getsockname(s->fd, (struct sockaddr *)&addr, &len) == 0)
    port = ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port : ((struct sockaddr_in *)&addr)->sin_port);
  napi_create_int32(env, port, &out);
  return out;
}

/* close(handle): idempotent, allowed inside the callback; the descriptor is closed before it returns. */
static napi_value close_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sock_t *s = argc == 1 ? sock_arg(env, argv[0]) : NULL;
  if (s == NULL) return fail(env, "datagram: close(handle)");
  shut(s, 0);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, open_socket, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, send_datagram, NULL, NULL, NULL, napi_default, NULL},
      {"sendParts", NULL, send_parts, NULL, NULL, NULL, napi_default, NULL},
      {"awaitReadable", NULL, await_readable, NULL, NULL, NULL, napi_default, NULL},
      {"localPort", NULL, local_port, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_socket, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
