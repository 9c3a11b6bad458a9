/* A forked child polls a flag through a process-shared mutex in shared memory (lock, read
 * the flag, count the round, unlock, again) until its parent sets the flag under the mutex,
 * about 20 ms on; then it reads `data`. argv[1]:
 *   flag             the parent writes `data`, then sets the flag under the mutex: no race
 *   late             the parent sets the flag under the mutex, then writes `data`: a race on
 *                    `data`
 *   unlocked         the parent writes `data` and sets the flag without the mutex: races on
 *                    `flag` and `data`
 *   handover         the parent takes and gives back the mutex, then writes `extra`, which
 *                    every round also reads, without it, 20 ms before the flag: a race on
 *                    `extra`
 *   handover-locked  the same with `extra` written under the mutex: no race
 *   handover-idle    as handover, the child idling outside the mutex in each round (its
 *                    lock then seldom waits for the parent's, which would write the round
 *                    after it whatever the count)
 *   spin             no mutex: the child spins on an acquire load of an atomic flag, which
 *                    the parent stores with release after writing `data`: no race
 *   spin-late        the parent writes `data` after the store: a race on `data`
 *   counter          no poll: parent and child each add to `data` 2 000 times under the
 *                    mutex, at once: no race
 * A mode after `spinlock-` (spinlock-flag...): the same with a spin lock in shared memory in
 * place of the mutex (an exchange with acquire takes it, a store with release gives it back;
 * the parent pauses between its tries); after `plainlock-`, with a C spin lock (a
 * compare-and-swap takes it, a full barrier and a plain store give it back), whose plain
 * store also races with the other process's compare-and-swap on the word.
 * The child prints how many rounds it made. Built with the instrumentation. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared_memory.h"
#include "threadlens/threadlens.h"

struct shared {
  pthread_mutex_t lock;
  int flag, data, extra;
  atomic_int ready;
  atomic_int word; /* the spin lock */
  int cword;       /* the C spin lock */
  long rounds, sink;
};

static struct shared* s;
static int spinning; /* the spin lock in place of the mutex: 1 atomic, 2 C (plain store) */

static void take(void) {
  if (!spinning) {
    pthread_mutex_lock(&s->lock);
    return;
  }
  if (spinning == 2) {
    while (!__sync_bool_compare_and_swap(&s->cword, 0, 1)) {
    }
    return;
  }
  while (atomic_exchange_explicit(&s->word, 1, memory_order_acquire)) {
  }
}
static void give(void) {
  if (spinning == 2) {
    __sync_synchronize();
    s->cword = 0;
  } else if (spinning) {
    atomic_store_explicit(&s->word, 0, memory_order_release);
  } else {
    pthread_mutex_unlock(&s->lock);
  }
}
/* The parent's take: a failed exchange is a write, after which the child's rounds are
 * written, and a load of the word the child keeps writing is recorded each time: it pauses
 * after a failed try instead. */
static void parent_take(void) {
  if (!spinning) {
    pthread_mutex_lock(&s->lock);
    return;
  }
  if (spinning == 2) {
    while (!__sync_bool_compare_and_swap(&s->cword, 0, 1)) usleep(100);
    return;
  }
  while (atomic_exchange_explicit(&s->word, 1, memory_order_acquire)) usleep(100);
}

/* The counter mode's adds, in either process. */
static void add(void) {
  for (int i = 0; i < 2000; ++i) {
    take();
    ++s->data;
    give();
  }
}

static void parent(const char* mode) {
  if (strcmp(mode, "counter") == 0) {
    while (!atomic_load_explicit(&s->ready, memory_order_acquire)) {
    }
    add();
    return;
  }
  usleep(20000);
  if (strncmp(mode, "spin", 4) == 0) {
    if (strcmp(mode, "spin") == 0) s->data = 1;
    atomic_store_explicit(&s->ready, 1, memory_order_release);
    if (strcmp(mode, "spin-late") == 0) s->data = 1;
    return;
  }
  if (strncmp(mode, "handover", 8) == 0) {
    parent_take();
    give();
    if (strcmp(mode, "handover-locked") != 0) {
      s->extra = 1;
    } else {
      parent_take();
      s->extra = 1;
      give();
    }
    usleep(20000); /* rounds after the write */
  }
  if (strcmp(mode, "late") != 0) s->data = 1;
  if (strcmp(mode, "unlocked") == 0) {
    s->flag = 1;
  } else {
    parent_take();
    s->flag = 1;
    give();
  }
  if (strcmp(mode, "late") == 0) s->data = 1;
}

static void child(const char* mode) {
  if (strcmp(mode, "counter") == 0) {
    atomic_store_explicit(&s->ready, 1, memory_order_release); /* both add at once */
    add();
    printf("ROUNDS 0\n"); /* (data: the parent may still be adding) */
    return;
  }
  if (strncmp(mode, "spin", 4) == 0) {
    while (!atomic_load_explicit(&s->ready, memory_order_acquire)) ++s->rounds;
    printf("ROUNDS %ld data %d\n", s->rounds, s->data);
    return;
  }
  const int reads_extra = strncmp(mode, "handover", 8) == 0;
  const int idle = strcmp(mode, "handover-idle") == 0;
  for (;;) {
    take();
    const int seen = s->flag;
    if (reads_extra) s->sink += s->extra;
    ++s->rounds;
    give();
    if (seen) break;
    if (idle) {
      for (volatile int i = 0; i < 20000; ++i) {
      }
    }
  }
  printf("ROUNDS %ld data %d\n", s->rounds, s->data);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "flag";
  if (strncmp(mode, "spinlock-", 9) == 0) {
    spinning = 1;
    mode += 9;
  } else if (strncmp(mode, "plainlock-", 10) == 0) {
    spinning = 2;
    mode += 10;
  }
  s = map_shared(sizeof *s);
  if (!s) return 1;
  init_shared_mutex(&s->lock);
  threadlens_name_variable(&s->flag, sizeof s->flag, "flag");
  threadlens_name_variable(&s->data, sizeof s->data, "data");
  threadlens_name_variable(&s->extra, sizeof s->extra, "extra");
  fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    child(mode);
    fflush(stdout);
    _exit(0);
  }
  parent(mode);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 1;
  return WEXITSTATUS(status);
}
