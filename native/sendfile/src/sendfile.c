/*
 * Zero-copy file bodies for HTTP boot: sendfile(2) from a regular file to a TCP
 * socket, run on a few addon threads per Node environment (one per core, at most 4).
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
 *
 * Why more than one thread: on a veth or loopback link the kernel runs the
 * receiving side's TCP processing in the sender's context (softirq on
 * transmit), so one thread sending to 20 stations is busier than its own CPU
 * time shows; new jobs go to the thread with the fewest running.
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
/* Threads at most; a job's id carries its thread's index in its low bits. */
#define MAX_WORKERS 4
#define WORKER_BITS 2

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

typedef struct sender sender_t;

/* One sending thread: its epoll, its jobs, and what JavaScript queued for it. */
typedef struct {
  pthread_mutex_t lock;
  job_t *incoming;   /* handed over by JavaScript, under lock */
  cancel_t *cancels; /* under lock */
  int stop;          /* under lock */
  int epfd;
  int wakefd;
  pthread_t thread;
  int running;
  job_t *jobs; /* this thread only */
  sender_t *sender;
} worker_t;

struct sender {
  napi_threadsafe_function tsfn;
  uint32_t next_seq;            /* JavaScript thread only */
  uint32_t active;              /* JavaScript thread only: started, not yet reported */
  uint32_t load[MAX_WORKERS];   /* JavaScript thread only: running jobs per thread */
  int count;
  worker_t workers[MAX_WORKERS];
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void report(worker_t *w, job_t *job, int error) {
  report_t *r = job->report;
  job->report = NULL;
  r->id = job->id;
  r->error = error;
  r->sent = job->sent;
  if (napi_call_threadsafe_function(w->sender->tsfn, r, napi_tsfn_blocking) != napi_ok) free(r);
}

/* Ends a job: deregisters and closes its descriptors first, then tells JavaScript. */
static void finish(worker_t *w, job_t *job, int error) {
  if (job->done) return;
  job->done = 1;
  if (job->registered) epoll_ctl(w->epfd, EPOLL_CTL_DEL, job->sock, NULL);
  close(job->sock);
  close(job->file);
  report(w, job, error);
}

/*
 * Waits for room in the socket. EPOLLERR and EPOLLHUP always wake it (the next
 * sendfile then fails with the reason); EPOLLRDHUP is not asked: a client may
 * half-close and still read, and one that vanishes without a word is caught by
 * the stall deadline, or by Node seeing the close and cancelling.
 */
static void arm(worker_t *w, job_t *job) {
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLONESHOT, .data.ptr = job};
  if (epoll_ctl(w->epfd, job->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, job->sock, &ev) != 0) {
    finish(w, job, errno);
    return;
  }
  job->registered = 1;
}

/* Sends what the socket takes now (at most one turn), then waits for EPOLLOUT again. */
static void pump(worker_t *w, job_t *job) {
  int64_t turn = 0;
  while (job->remaining > 0) {
    if (turn >= TURN_BYTES) {
      arm(w, job); /* still writable: the event comes back at once, after the others' */
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
        arm(w, job);
        return;
      }
      continue;
    }
    if (n == 0) {
      finish(w, job, ENODATA); /* the file is shorter than announced: never pad */
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      arm(w, job);
      return;
    }
    finish(w, job, errno);
    return;
  }
  finish(w, job, 0);
}

/* Takes the new jobs and cancellations JavaScript queued; returns the stop flag. */
static int take_queued(worker_t *w) {
  uint64_t count;
  if (read(w->wakefd, &count, sizeof count) < 0) { /* EAGAIN: nothing new */
  }
  pthread_mutex_lock(&w->lock);
  job_t *incoming = w->incoming;
  cancel_t *cancels = w->cancels;
  int stop = w->stop;
  w->incoming = NULL;
  w->cancels = NULL;
  pthread_mutex_unlock(&w->lock);
  while (incoming != NULL) {
    job_t *job = incoming;
    incoming = job->next;
    job->next = w->jobs;
    w->jobs = job;
    pump(w, job);
  }
  while (cancels != NULL) {
    cancel_t *c = cancels;
    cancels = c->next;
    for (job_t *job = w->jobs; job != NULL; job = job->next)
      if (job->id == c->id) finish(w, job, ECANCELED);
    free(c);
  }
  return stop;
}

/* Milliseconds until the nearest stall deadline, -1 without jobs; ends the stalled jobs. */
static int expire(worker_t *w) {
  int64_t now = now_ms();
  int64_t nearest = -1;
  for (job_t *job = w->jobs; job != NULL; job = job->next) {
    if (job->done) continue;
    if (job->deadline <= now) {
      finish(w, job, ETIMEDOUT);
      continue;
    }
    if (nearest < 0 || job->deadline < nearest) nearest = job->deadline;
  }
  if (nearest < 0) return -1;
  int64_t wait = nearest - now;
  return wait > 60000 ? 60000 : (int)wait;
}

/* Frees ended jobs; only between event batches, so no event in hand points to a freed job. */
static void sweep(worker_t *w) {
  job_t **link = &w->jobs;
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
  worker_t *w = arg;
  struct epoll_event events[64];
  int stop = 0;
  while (!stop) {
    int timeout = expire(w);
    sweep(w);
    int n = epoll_wait(w->epfd, events, 64, timeout);
    if (n < 0) n = 0; /* EINTR */
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == NULL) {
        stop = take_queued(w);
        continue;
      }
      job_t *job = events[i].data.ptr;
      if (!job->done) pump(w, job);
    }
  }
  for (job_t *job = w->jobs; job != NULL; job = job->next) finish(w, job, ECANCELED);
  sweep(w);
  return NULL;
}

static void call_js(napi_env env, napi_value callback, void *context, void *data) {
  report_t *r = data;
  sender_t *s = context;
  if (env != NULL && callback != NULL) {
    uint32_t worker = r->id & ((1u << WORKER_BITS) - 1);
    if (s->load[worker] > 0) s->load[worker] -= 1;
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

static void stop_worker(worker_t *w) {
  if (!w->running) return;
  pthread_mutex_lock(&w->lock);
  w->stop = 1;
  pthread_mutex_unlock(&w->lock);
  uint64_t one = 1;
  if (write(w->wakefd, &one, sizeof one) < 0) { /* the counter cannot overflow here */
  }
  pthread_join(w->thread, NULL);
  w->running = 0;
  for (job_t *job = w->incoming; job != NULL;) {
    job_t *next = job->next;
    close(job->sock);
    close(job->file);
    free(job->report);
    free(job);
    job = next;
  }
  w->incoming = NULL;
}

/* Environment teardown (process exit, worker end): stop the threads before Node frees the rest. */
static void stop_sender(void *arg) {
  sender_t *s = arg;
  for (int i = 0; i < s->count; i++) stop_worker(&s->workers[i]);
}

static void free_sender(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sender_t *s = data;
  for (int i = 0; i < s->count; i++) {
    worker_t *w = &s->workers[i];
    for (cancel_t *c = w->cancels; c != NULL;) {
      cancel_t *next = c->next;
      free(c);
      c = next;
    }
    if (w->epfd >= 0) close(w->epfd);
    if (w->wakefd >= 0) close(w->wakefd);
    pthread_mutex_destroy(&w->lock);
  }
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

/* One worker's epoll, wake-up eventfd and thread (signals stay with Node's main thread). */
static int start_worker(sender_t *s, worker_t *w) {
  pthread_mutex_init(&w->lock, NULL);
  w->sender = s;
  w->epfd = epoll_create1(EPOLL_CLOEXEC);
  w->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  if (w->epfd < 0 || w->wakefd < 0 || epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) != 0) return -1;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int failed = pthread_create(&w->thread, NULL, run, w);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (failed != 0) return -1;
  w->running = 1;
  return 0;
}

/* start(callback): the threads and the report channel; callback(id, errno, sent) per ended job. */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (sender_of(env) != NULL) return fail(env, "ERR_SENDFILE_STARTED", "sendfile: already started");
  if (argc < 1) return fail(env, "ERR_INVALID_ARG_TYPE", "sendfile: start(callback)");
  sender_t *s = calloc(1, sizeof *s);
  if (s == NULL) return fail(env, "ERR_SENDFILE_NOMEM", "sendfile: out of memory");
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  s->count = cores < 1 ? 1 : cores > MAX_WORKERS ? MAX_WORKERS : (int)cores;
  for (int i = 0; i < s->count; i++) s->workers[i].epfd = s->workers[i].wakefd = -1;
  napi_create_string_utf8(env, "sendfile", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, s, free_sender, s, call_js, &s->tsfn) != napi_ok) {
    free(s);
    return fail(env, "ERR_SENDFILE_TSFN", "sendfile: no thread-safe function");
  }
  /* Idle, the channel must not keep the process alive; send() refs it while jobs run. */
  napi_unref_threadsafe_function(env, s->tsfn);
  for (int i = 0; i < s->count; i++) {
    if (start_worker(s, &s->workers[i]) != 0) {
      stop_sender(s);
      napi_release_threadsafe_function(s->tsfn, napi_tsfn_abort); /* frees s */
      return fail(env, "ERR_SENDFILE_THREAD", "sendfile: epoll, eventfd or thread unavailable");
    }
  }
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
  if (s == NULL) return fail(env, "ERR_SENDFILE_NOT_STARTED", "sendfile: not started");
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
  int least = 0;
  for (int i = 1; i < s->count; i++)
    if (s->load[i] < s->load[least]) least = i;
  worker_t *w = &s->workers[least];
  s->load[least] += 1;
  /* Once queued, the job belongs to its thread: only the id is read afterwards. */
  uint32_t id = job->id = (++s->next_seq << WORKER_BITS) | (uint32_t)least;
  job->offset = offset;
  job->remaining = length;
  job->stall_ms = stall;
  job->deadline = now_ms() + stall;
  if (s->active++ == 0) napi_ref_threadsafe_function(env, s->tsfn);
  pthread_mutex_lock(&w->lock);
  job->next = w->incoming;
  w->incoming = job;
  pthread_mutex_unlock(&w->lock);
  uint64_t one = 1;
  if (write(w->wakefd, &one, sizeof one) < 0) { /* EAGAIN only at 2^64-2: the thread is awake anyway */
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
  if (s == NULL || argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return NULL;
  int index = (int)(id & ((1u << WORKER_BITS) - 1));
  if (index >= s->count) return NULL;
  worker_t *w = &s->workers[index];
  cancel_t *c = malloc(sizeof *c);
  if (c == NULL) return fail(env, "ERR_SENDFILE_NOMEM", "sendfile: out of memory");
  c->id = id;
  pthread_mutex_lock(&w->lock);
  c->next = w->cancels;
  w->cancels = c;
  pthread_mutex_unlock(&w->lock);
  uint64_t one = 1;
  if (write(w->wakefd, &one, sizeof one) < 0) {
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
