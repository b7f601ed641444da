/*
 * Zero-copy file bodies for HTTP boot: sendfile(2) from a regular file to a TCP
 * socket, run on one addon thread per Node environment.
 *
 * Why a thread with its own epoll: the socket belongs to libuv (non-blocking,
 * watched by Node's own loop for reading). The addon never touches libuv's
 * watchers: it dup(2)s the socket and the file, so the descriptors it works on
 * stay valid whatever Node closes meanwhile, and waits for EPOLLOUT on its own
 * epoll instance (a dup is a separate registration, see epoll(7) "Q6"). Each
 * job ends exactly once, with a report (id, errno or 0, bytes sent) delivered to
 * JavaScript through a thread-safe function; its descriptors are closed before
 * the report is queued, so once JavaScript hears of the end the addon no longer
 * writes to the connection and holds no file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bytes one job may send per turn before the others get theirs (fairness on fast links). */
#define TURN_BYTES (4 * 1024 * 1024)
/* Largest count one sendfile(2) call accepts without being cut by the kernel. */
#define MAX_CALL 0x7ffff000L

typedef struct {
  uint32_t id;
  int error;
  int64_t sent;
} report_t;

typedef struct job {
  struct job *next;
  report_t *report; /* allocated with the job, so that ending it cannot fail; freed by call_js */
  uint32_t id;
  int sock;
  int file;
  int64_t offset;
  int64_t remaining;
  int64_t sent;
  int64_t stall_ms;
  int64_t deadline;
  int registered;
  int done;
} job_t;

typedef struct cancel {
  struct cancel *next;
  uint32_t id;
} cancel_t;

typedef struct {
  pthread_mutex_t lock;
  job_t *incoming;   /* handed over by JavaScript, under lock */
  cancel_t *cancels; /* under lock */
  int stop;          /* under lock */
  int epfd;
  int wakefd;
  pthread_t thread;
  int running;
  napi_threadsafe_function tsfn;
  job_t *jobs;     /* worker thread only */
  uint32_t next_id; /* JavaScript thread only */
  uint32_t active;  /* JavaScript thread only: started, not yet reported */
} sender_t;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void report(sender_t *s, job_t *job, int error) {
  report_t *r = job->report;
  job->report = NULL;
  r->id = job->id;
  r->error = error;
  r->sent = job->sent;
  if (napi_call_threadsafe_function(s->tsfn, r, napi_tsfn_blocking) != napi_ok) free(r);
}

/* Ends a job: deregisters and closes its descriptors first, then tells JavaScript. */
static void finish(sender_t *s, job_t *job, int error) {
  if (job->done) return;
  job->done = 1;
  if (job->registered) epoll_ctl(s->epfd, EPOLL_CTL_DEL, job->sock, NULL);
  close(job->sock);
  close(job->file);
  report(s, job, error);
}

static void arm(sender_t *s, job_t *job) {
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLONESHOT, .data.ptr = job};
  if (epoll_ctl(s->epfd, job->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, job->sock, &ev) != 0) {
    finish(s, job, errno);
    return;
  }
  job->registered = 1;
}

/* Sends what the socket takes now (at most one turn), then waits for EPOLLOUT again. */
static void pump(sender_t *s, job_t *job) {
  int64_t turn = 0;
  while (job->remaining > 0) {
    if (turn >= TURN_BYTES) {
      arm(s, job); /* still writable: the event comes back at once, after the others' */
      return;
    }
    size_t count = (size_t)(job->remaining < MAX_CALL ? job->remaining : MAX_CALL);
    off_t offset = (off_t)job->offset;
    ssize_t n = sendfile(job->sock, job->file, &offset, count);
    if (n > 0) {
      job->offset += n;
      job->remaining -= n;
      job->sent += n;
      turn += n;
      job->deadline = now_ms() + job->stall_ms;
      /* A short count means a full socket buffer (or the file's end, which the next call sees as 0). */
      if ((size_t)n < count && job->remaining > 0) {
        arm(s, job);
        return;
      }
      continue;
    }
    if (n == 0) {
      finish(s, job, ENODATA); /* the file is shorter than announced: never pad */
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      arm(s, job);
      return;
    }
    finish(s, job, errno);
    return;
  }
  finish(s, job, 0);
}

/* Takes the new jobs and cancellations JavaScript queued; returns the stop flag. */
static int take_queued(sender_t *s) {
  uint64_t count;
  if (read(s->wakefd, &count, sizeof count) < 0) { /* EAGAIN: nothing new */
  }
  pthread_mutex_lock(&s->lock);
  job_t *incoming = s->incoming;
  cancel_t *cancels = s->cancels;
  int stop = s->stop;
  s->incoming = NULL;
  s->cancels = NULL;
  pthread_mutex_unlock(&s->lock);
  while (incoming != NULL) {
    job_t *job = incoming;
    incoming = job->next;
    job->next = s->jobs;
    s->jobs = job;
    pump(s, job);
  }
  while (cancels != NULL) {
    cancel_t *c = cancels;
    cancels = c->next;
    for (job_t *job = s->jobs; job != NULL; job = job->next)
      if (job->id == c->id) finish(s, job, ECANCELED);
    free(c);
  }
  return stop;
}

/* Milliseconds until the nearest stall deadline, -1 without jobs; ends the stalled jobs. */
static int expire(sender_t *s) {
  int64_t now = now_ms();
  int64_t nearest = -1;
  for (job_t *job = s->jobs; job != NULL; job = job->next) {
    if (job->done) continue;
    if (job->deadline <= now) {
      finish(s, job, ETIMEDOUT);
      continue;
    }
    if (nearest < 0 || job->deadline < nearest) nearest = job->deadline;
  }
  if (nearest < 0) return -1;
  int64_t wait = nearest - now;
  return wait > 60000 ? 60000 : (int)wait;
}

/* Frees ended jobs; only between event batches, so no event in hand points to a freed job. */
static void sweep(sender_t *s) {
  job_t **link = &s->jobs;
  while (*link != NULL) {
    job_t *job = *link;
    if (job->done) {
      *link = job->next;
      free(job);
    } else {
      link = &job->next;
    }
  }
}

static void *run(void *arg) {
  sender_t *s = arg;
  struct epoll_event events[64];
  int stop = 0;
  while (!stop) {
    int timeout = expire(s);
    sweep(s);
    int n = epoll_wait(s->epfd, events, 64, timeout);
    if (n < 0) n = 0; /* EINTR */
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == NULL) {
        stop = take_queued(s);
        continue;
      }
      job_t *job = events[i].data.ptr;
      if (!job->done) pump(s, job);
    }
  }
  for (job_t *job = s->jobs; job != NULL; job = job->next) finish(s, job, ECANCELED);
  sweep(s);
  return NULL;
}

static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  report_t *r = data;
  sender_t *s = context;
  if (env != NULL && callback != NULL) {
    if (s->active > 0 && --s->active == 0) napi_unref_threadsafe_function(env, s->tsfn);
    napi_value argv[3], undefined;
    napi_create_uint32(env, r->id, &argv[0]);
    napi_create_int32(env, r->error, &argv[1]);
    napi_create_double(env, (double)r->sent, &argv[2]);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, callback, 3, argv, NULL);
  }
  free(r);
}

/* Environment teardown (process exit, worker end): stop the thread before Node frees the rest. */
static void stop_sender(void *arg) {
  sender_t *s = arg;
  if (!s->running) return;
  pthread_mutex_lock(&s->lock);
  s->stop = 1;
  pthread_mutex_unlock(&s->lock);
  uint64_t one = 1;
  if (write(s->wakefd, &one, sizeof one) < 0) { /* the counter cannot overflow here */
  }
  pthread_join(s->thread, NULL);
  s->running = 0;
  for (job_t *job = s->incoming; job != NULL;) {
    job_t *next = job->next;
    close(job->sock);
    close(job->file);
    free(job->report);
    free(job);
    job = next;
  }
  s->incoming = NULL;
  close(s->epfd);
  close(s->wakefd);
}

static void free_sender(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sender_t *s = data;
  for (cancel_t *c = s->cancels; c != NULL;) {
    cancel_t *next = c->next;
    free(c);
    c = next;
  }
  pthread_mutex_destroy(&s->lock);
  free(s);
}

static napi_value fail(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

static sender_t *sender_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

/* start(callback): the thread and the report channel; callback(id, errno, sent) per ended job. */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (sender_of(env) != NULL) return fail(env, "ERR_SENDFILE_STARTED", "sendfile: already started");
  if (argc < 1) return fail(env, "ERR_INVALID_ARG_TYPE", "sendfile: start(callback)");
  sender_t *s = calloc(1, sizeof *s);
  if (s == NULL) return fail(env, "ERR_SENDFILE_NOMEM", "sendfile: out of memory");
  pthread_mutex_init(&s->lock, NULL);
  s->epfd = epoll_create1(EPOLL_CLOEXEC);
  s->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  if (s->epfd < 0 || s->wakefd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wakefd, &ev) != 0) {
    if (s->epfd >= 0) close(s->epfd);
    if (s->wakefd >= 0) close(s->wakefd);
    free(s);
    return fail(env, "ERR_SENDFILE_EPOLL", "sendfile: epoll/eventfd unavailable");
  }
  napi_create_string_utf8(env, "sendfile", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, s, free_sender, s, call_js, &s->tsfn) != napi_ok) {
    close(s->epfd);
    close(s->wakefd);
    free(s);
    return fail(env, "ERR_SENDFILE_TSFN", "sendfile: no thread-safe function");
  }
  /* Idle, the channel must not keep the process alive; send() refs it while jobs run. */
  napi_unref_threadsafe_function(env, s->tsfn);
  /* Signals stay with Node's main thread. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int failed = pthread_create(&s->thread, NULL, run, s);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (failed != 0) {
    close(s->epfd);
    close(s->wakefd);
    napi_release_threadsafe_function(s->tsfn, napi_tsfn_abort);
    return fail(env, "ERR_SENDFILE_THREAD", "sendfile: thread not started");
  }
  s->running = 1;
  napi_set_instance_data(env, s, NULL, NULL);
  napi_add_env_cleanup_hook(env, stop_sender, s);
  return NULL;
}

static int64_t int64_arg(napi_env env, napi_value value, int *ok) {
  int64_t out = 0;
  if (napi_get_value_int64(env, value, &out) != napi_ok) *ok = 0;
  return out;
}

static int dup_checked(int fd, mode_t kind) {
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != kind) return -1;
  return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

/* send(socketFd, fileFd, offset, length, stalledMs) -> id; the end comes through the callback. */
static napi_value send_file(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sender_t *s = sender_of(env);
  if (s == NULL || !s->running) return fail(env, "ERR_SENDFILE_NOT_STARTED", "sendfile: not started");
  int ok = argc == 5;
  int64_t sock = ok ? int64_arg(env, argv[0], &ok) : 0, file = ok ? int64_arg(env, argv[1], &ok) : 0;
  int64_t offset = ok ? int64_arg(env, argv[2], &ok) : 0, length = ok ? int64_arg(env, argv[3], &ok) : 0;
  int64_t stall = ok ? int64_arg(env, argv[4], &ok) : 0;
  if (!ok || sock < 0 || sock > INT32_MAX || file < 0 || file > INT32_MAX || offset < 0 || length <= 0 || stall <= 0)
    return fail(env, "ERR_INVALID_ARG_VALUE", "sendfile: send(socketFd, fileFd, offset >= 0, length > 0, stalledMs > 0)");
  job_t *job = calloc(1, sizeof *job);
  report_t *r = malloc(sizeof *r);
  if (job == NULL || r == NULL) {
    free(job);
    free(r);
    return fail(env, "ERR_SENDFILE_NOMEM", "sendfile: out of memory");
  }
  job->report = r;
  job->sock = dup_checked((int)sock, S_IFSOCK);
  job->file = job->sock < 0 ? -1 : dup_checked((int)file, S_IFREG);
  if (job->sock < 0 || job->file < 0) {
    if (job->sock >= 0) close(job->sock);
    free(r);
    free(job);
    return fail(env, "ERR_SENDFILE_FD", "sendfile: not a socket and a regular file, or no descriptor left");
  }
  uint32_t id = job->id = ++s->next_id; /* once queued, the job belongs to the worker thread */
  job->offset = offset;
  job->remaining = length;
  job->stall_ms = stall;
  job->deadline = now_ms() + stall;
  if (s->active++ == 0) napi_ref_threadsafe_function(env, s->tsfn);
  pthread_mutex_lock(&s->lock);
  job->next = s->incoming;
  s->incoming = job;
  pthread_mutex_unlock(&s->lock);
  uint64_t one = 1;
  if (write(s->wakefd, &one, sizeof one) < 0) { /* EAGAIN only at 2^64-2: the thread is awake anyway */
  }
  napi_create_uint32(env, id, &result);
  return result;
}

/* cancel(id): ends the job (report ECANCELED) if it is still running; harmless otherwise. */
static napi_value cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t id = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sender_t *s = sender_of(env);
  if (s == NULL || !s->running || argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return NULL;
  cancel_t *c = malloc(sizeof *c);
  if (c == NULL) return fail(env, "ERR_SENDFILE_NOMEM", "sendfile: out of memory");
  c->id = id;
  pthread_mutex_lock(&s->lock);
  c->next = s->cancels;
  s->cancels = c;
  pthread_mutex_unlock(&s->lock);
  uint64_t one = 1;
  if (write(s->wakefd, &one, sizeof one) < 0) {
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, send_file, NULL, NULL, NULL, napi_default, NULL},
      {"cancel", NULL, cancel, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
