/* Named semaphores: one created by sem_open with O_CREAT (its initial count is recorded), the
 * same name opened again with O_CREAT (it exists: no count), and with O_CREAT | O_EXCL on a
 * name that exists (fails). */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  char name[64];
  snprintf(name, sizeof name, "/tl_sem_open_ops_%d", (int)getpid());
  sem_t* a = sem_open(name, O_CREAT, 0600, 3);
  if (a == SEM_FAILED) return 10;
  sem_t* b = sem_open(name, O_CREAT, 0600, 7);
  if (b == SEM_FAILED) return 11;
  if (sem_open(name, O_CREAT | O_EXCL, 0600, 5) != SEM_FAILED) return 12;
  printf("A %p\n", (void*)a);
  sem_post(a);
  sem_close(b);
  sem_close(a);
  sem_unlink(name);
  return 0;
}
