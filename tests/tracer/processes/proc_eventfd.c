/* Waits on an eventfd that nothing will write, and their twins that end. An eventfd is a pipe
 * whose two ends are one descriptor: a read (or a readiness wait for it to turn readable)
 * waits until some holder writes it. Modes:
 *   "read-own": the only thread reads an eventfd only its process holds (a hang);
 *   "two-own": main reads the eventfd while a worker polls a second one; nobody writes either
 *     (one hang, not a deadlock of the two);
 *   "lock-read": main holds a mutex and reads the eventfd; the worker that would write it
 *     waits for that mutex first (a deadlock; twin "unlock-read": main unlocks first);
 *   "poll-own", "epoll-own": the only thread waits in poll (epoll_wait) for the eventfd to
 *     turn readable (a hang; twins "poll-written", "epoll-written": a worker writes it after
 *     1.5 s of sleep);
 *   "fork-wait": the parent waits for its child, which reads the eventfd the parent writes
 *     only after (a deadlock across processes; twin "fork-write": the parent writes first);
 *   "nonblock": a non-blocking eventfd read in a loop until a worker writes it after a sleep
 *     (no wait at all);
 *   "uring-timeout": the eventfd is registered with an io_uring, and the only thread reads it
 *     while a 1.5 s timeout request is in flight: the kernel writes it (exits 77 without
 *     io_uring);
 *   "aio-poll": an AIO poll request on a pipe, which a child writes after 1.5 s, writes the
 *     eventfd (IOCB_FLAG_RESFD) the only thread reads (exits 77 without AIO);
 *   "pass-out": the only thread passes the eventfd (SCM_RIGHTS) to "helper", a process
 *     started outside the recording, then reads it; the helper writes it after 1.5 s.
 * "raw-" before a mode makes the eventfd by raw system call (syscall(SYS_eventfd2)), not
 * through the C library's eventfd. */
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int efd;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void nap(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void* writer_after_lock(void* arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  eventfd_write(efd, 1);
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void* writer_after_sleep(void* arg) {
  (void)arg;
  nap(1500);
  eventfd_write(efd, 1);
  return NULL;
}

static void* poll_second(void* arg) {
  struct pollfd p = {*(int*)arg, POLLIN, 0};
  poll(&p, 1, -1);
  return NULL;
}

static int two_own(void) {
  int second = eventfd(0, EFD_CLOEXEC);
  pthread_t t;
  pthread_create(&t, NULL, poll_second, &second);
  eventfd_t v = 0;
  const int r = eventfd_read(efd, &v);
  pthread_join(t, NULL);
  return r == 0 ? 0 : 1;
}

static int lock_read(int unlock_first) {
  pthread_mutex_lock(&mu);
  pthread_t t;
  pthread_create(&t, NULL, writer_after_lock, NULL);
  nap(100);  // the worker is waiting for the mutex
  if (unlock_first) pthread_mutex_unlock(&mu);
  eventfd_t v = 0;
  const int r = eventfd_read(efd, &v);
  if (!unlock_first) pthread_mutex_unlock(&mu);
  pthread_join(t, NULL);
  printf("%d %llu\n", r, (unsigned long long)v);
  return r == 0 && v == 1 ? 0 : 1;
}

/* Waits for the eventfd to turn readable, in poll or epoll_wait, with a worker that writes it
 * after a sleep when `written`. */
static int ready_wait(int use_epoll, int written) {
  pthread_t t;
  if (written) pthread_create(&t, NULL, writer_after_sleep, NULL);
  int r;
  if (use_epoll) {
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = efd};
    epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
    struct epoll_event out;
    r = epoll_wait(ep, &out, 1, -1);
    close(ep);
  } else {
    struct pollfd p = {efd, POLLIN, 0};
    r = poll(&p, 1, -1);
  }
  if (written) pthread_join(t, NULL);
  printf("%d\n", r);
  return r == 1 ? 0 : 1;
}

static int fork_wait(int write_first) {
  const pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    eventfd_t v = 0;
    _exit(eventfd_read(efd, &v) == 0 && v == 7 ? 0 : 1);
  }
  if (write_first) eventfd_write(efd, 7);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!write_first) eventfd_write(efd, 7);
  printf("%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int nonblock(void) {
  pthread_t t;
  pthread_create(&t, NULL, writer_after_sleep, NULL);
  eventfd_t v = 0;
  int tries = 0;
  while (eventfd_read(efd, &v) != 0) {
    ++tries;
    nap(50);
  }
  pthread_join(t, NULL);
  printf("%llu %d\n", (unsigned long long)v, tries > 0);
  return v == 1 ? 0 : 1;
}

/* Reads the eventfd while the kernel completes a request that writes it. */
static int kernel_writes(int uring) {
  eventfd_t v = 0;
  if (uring) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    const int ring = (int)syscall(__NR_io_uring_setup, 4, &p);
    if (ring < 0) return 77;
    char* sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned),
                    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
    struct io_uring_sqe* sqes =
        mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
    if (sq == MAP_FAILED || sqes == MAP_FAILED) return 77;
    if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_EVENTFD, &efd, 1) != 0) return 77;
    static struct __kernel_timespec ts = {1, 500000000};
    memset(&sqes[0], 0, sizeof sqes[0]);
    sqes[0].opcode = IORING_OP_TIMEOUT;
    sqes[0].fd = -1;
    sqes[0].addr = (unsigned long)&ts;
    sqes[0].len = 1;
    unsigned* tail = (unsigned*)(sq + p.sq_off.tail);
    const unsigned mask = *(unsigned*)(sq + p.sq_off.ring_mask);
    ((unsigned*)(sq + p.sq_off.array))[*tail & mask] = 0;
    __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
    if (syscall(__NR_io_uring_enter, ring, 1, 0, 0, NULL, 0) != 1) return 77;
  } else {
    aio_context_t ctx = 0;
    int fds[2];
    if (syscall(__NR_io_setup, 1, &ctx) != 0 || pipe(fds) != 0) return 77;
    struct iocb cb;
    memset(&cb, 0, sizeof cb);
    cb.aio_lio_opcode = IOCB_CMD_POLL;
    cb.aio_fildes = (unsigned)fds[0];
    cb.aio_buf = POLLIN;
    cb.aio_flags = IOCB_FLAG_RESFD;
    cb.aio_resfd = (unsigned)efd;
    struct iocb* list[1] = {&cb};
    if (syscall(__NR_io_submit, ctx, 1, list) != 1) return 77;
    const pid_t pid = fork();
    if (pid == 0) {
      close(efd);
      nap(1500);
      _exit(write(fds[1], "x", 1) == 1 ? 0 : 1);
    }
    close(fds[1]);
    const int r = eventfd_read(efd, &v);
    waitpid(pid, NULL, 0);
    printf("%d\n", r);
    return r == 0 ? 0 : 1;
  }
  const int r = eventfd_read(efd, &v);
  printf("%d\n", r);
  return r == 0 ? 0 : 1;
}

/* An abstract Unix socket's address (no file), the same in both modes. */
static socklen_t helper_address(struct sockaddr_un* a) {
  static const char name[] = "threadlens-test-eventfd-pass";
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path + 1, name, sizeof name - 1);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof name);
}

/* A one-byte message with room for one descriptor (SCM_RIGHTS). */
struct fd_message {
  char byte;
  struct iovec io;
  struct msghdr m;
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
};

static void fd_message_init(struct fd_message* f) {
  memset(f, 0, sizeof *f);
  f->byte = 'e';
  f->io = (struct iovec){&f->byte, 1};
  f->m.msg_iov = &f->io;
  f->m.msg_iovlen = 1;
  f->m.msg_control = f->ctl.buf;
  f->m.msg_controllen = sizeof f->ctl.buf;
}

static int helper(void) {
  alarm(20);  // never outlives a test that did not come
  struct sockaddr_un a;
  const socklen_t len = helper_address(&a);
  const int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || bind(s, (struct sockaddr*)&a, len) != 0 || listen(s, 1) != 0) return 1;
  const int c = accept(s, NULL, NULL);
  struct fd_message fm;
  fd_message_init(&fm);
  if (c < 0 || recvmsg(c, &fm.m, 0) != 1 || !CMSG_FIRSTHDR(&fm.m)) return 1;
  int fd;
  memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&fm.m)), sizeof fd);
  nap(1500);
  return eventfd_write(fd, 1) == 0 ? 0 : 1;
}

static int pass_out(void) {
  struct sockaddr_un a;
  const socklen_t len = helper_address(&a);
  const int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int tries = 0;
  while (connect(s, (struct sockaddr*)&a, len) != 0) {
    if (++tries == 100) return 1;  // the helper did not come up in 5 s
    nap(50);
  }
  struct fd_message fm;
  fd_message_init(&fm);
  struct cmsghdr* c = CMSG_FIRSTHDR(&fm.m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &efd, sizeof efd);
  if (sendmsg(s, &fm.m, 0) != 1) return 1;
  eventfd_t v = 0;
  const int r = eventfd_read(efd, &v);
  printf("%d\n", r);
  return r == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "unlock-read";
  const int raw = !strncmp(mode, "raw-", 4);
  mode += raw ? 4 : 0;
  const int flags = EFD_CLOEXEC | (!strcmp(mode, "nonblock") ? EFD_NONBLOCK : 0);
  efd = raw ? (int)syscall(SYS_eventfd2, 0, flags) : eventfd(0, flags);
  if (efd < 0) return 1;
  if (!strcmp(mode, "read-own")) {
    eventfd_t v = 0;
    return eventfd_read(efd, &v) == 0 ? 0 : 1;
  }
  if (!strcmp(mode, "two-own")) return two_own();
  if (!strcmp(mode, "lock-read")) return lock_read(0);
  if (!strcmp(mode, "unlock-read")) return lock_read(1);
  if (!strcmp(mode, "poll-own")) return ready_wait(0, 0);
  if (!strcmp(mode, "poll-written")) return ready_wait(0, 1);
  if (!strcmp(mode, "epoll-own")) return ready_wait(1, 0);
  if (!strcmp(mode, "epoll-written")) return ready_wait(1, 1);
  if (!strcmp(mode, "fork-wait")) return fork_wait(0);
  if (!strcmp(mode, "fork-write")) return fork_wait(1);
  if (!strcmp(mode, "nonblock")) return nonblock();
  if (!strcmp(mode, "uring-timeout")) return kernel_writes(1);
  if (!strcmp(mode, "aio-poll")) return kernel_writes(0);
  if (!strcmp(mode, "helper")) return helper();
  if (!strcmp(mode, "pass-out")) return pass_out();
  return 2;
}
