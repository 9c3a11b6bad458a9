/* Threads that each set up an io_uring and store into their own submission ring ("own": the
 * worker's ring is gone before main makes its own, which may take the same address), or
 * into one ring with nothing ordering them ("shared"). The rings are MAP_SHARED mappings of
 * anonymous-inode files: each is the process's own memory, not a shared file.
 * Exits 77 when the kernel offers no io_uring. */
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ring {
  int fd;
  unsigned* tail;
  char* map;
  size_t len;
};

static int Setup(struct ring* r) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
  if (r->fd < 0) return -1;
  r->len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  r->map = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
                IORING_OFF_SQ_RING);
  if (r->map == MAP_FAILED) return -1;
  r->tail = (unsigned*)(r->map + p.sq_off.tail);
  return 0;
}

static struct ring main_ring;
static int shared;

static void* Worker(void* arg) {
  (void)arg;
  if (shared) {
    *main_ring.tail = 2; /* unordered with main's store */
    return NULL;
  }
  struct ring mine;
  if (Setup(&mine) != 0) return NULL;
  *mine.tail = 0;
  munmap(mine.map, mine.len);
  close(mine.fd);
  return NULL;
}

int main(int argc, char** argv) {
  shared = argc > 1 && strcmp(argv[1], "shared") == 0;
  struct ring probe;
  if (Setup(&probe) != 0) {
    printf("no io_uring\n");
    return 77;
  }
  munmap(probe.map, probe.len);
  close(probe.fd);
  pthread_t t;
  if (shared && Setup(&main_ring) != 0) return 1;
  pthread_create(&t, NULL, Worker, NULL);
  if (!shared) {
    usleep(100000); /* the worker's ring is gone: nothing but the kernel orders the two */
    if (Setup(&main_ring) != 0) return 1;
  }
  *main_ring.tail = 0;
  pthread_join(t, NULL);
  printf("done\n");
  return 0;
}
