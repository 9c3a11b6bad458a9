// The twin of clean_sysv_message_handoff: the worker writes its result after it sent the
// message, so main's read races; and main reads the message buffer it gave msgrcv while
// another thread's msgrcv may still be filling it.
// CHECK: race result
// CHECK: race inbox.text[0]
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
struct Message inbox;

static void* Worker(void* arg) {
  (void)arg;
  struct Message m = {1, "done"};
  msgsnd(queue, &m, sizeof m.text, 0);
  result = 6 * 7;  // RACE
  return NULL;
}

static void* Receiver(void* arg) {
  (void)arg;
  msgrcv(queue, &inbox, sizeof inbox.text, 2, 0);  // RACE
  return NULL;
}

int main(void) {
  queue = msgget(IPC_PRIVATE, 0600);
  if (queue < 0) return 1;
  pthread_t t, r;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_create(&r, NULL, Receiver, NULL);
  struct Message m;
  long got = msgrcv(queue, &m, sizeof m.text, 1, 0);
  long seen = result;  // RACE
  struct Message second = {2, "next"};
  msgsnd(queue, &second, sizeof second.text, 0);
  char first = inbox.text[0];  // RACE
  pthread_join(t, NULL);
  pthread_join(r, NULL);
  msgctl(queue, IPC_RMID, NULL);
  printf("%ld %ld %d\n", got, seen, first);
  return 0;
}
