// A worker fills in a result and then sends a System V message; main's msgrcv returns that
// message, so its read of the result is ordered after the write, as through a pipe.
// (ThreadSanitizer, clang 14, models no ordering through System V queues and reports a race
// here.) Its twin is race_sysv_message_handoff.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct Message {
  long type;
  char text[8];
};

int queue;
long result;

static void* Worker(void* arg) {
  (void)arg;
  result = 6 * 7;
  struct Message m = {1, "done"};
  msgsnd(queue, &m, sizeof m.text, 0);
  return NULL;
}

int main(void) {
  queue = msgget(IPC_PRIVATE, 0600);
  if (queue < 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  struct Message m;
  long got = msgrcv(queue, &m, sizeof m.text, 0, 0);
  long seen = result;
  pthread_join(t, NULL);
  msgctl(queue, IPC_RMID, NULL);
  printf("%ld %ld %s\n", got, seen, m.text);
  return 0;
}
