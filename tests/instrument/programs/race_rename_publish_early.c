// The twin of clean_rename_publish: the worker publishes the file before it fills the
// configuration in memory, so main's read after seeing the name is not ordered after it.
// CHECK: race config.port
// CHECK: exit 0
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct config {
  int workers;
  int port;
};
static struct config config;
static char dir[] = "/tmp/threadlens-publish-XXXXXX";
static char temporary[64], final_name[64];

static void* Writer(void* arg) {
  usleep(20 * 1000);
  FILE* f = fopen(temporary, "w");
  if (!f) exit(1);
  fputs("4 8080\n", f);
  fclose(f);
  rename(temporary, final_name);
  config.workers = 4;
  config.port = 8080;  // RACE
  return arg;
}

int main(void) {
  if (!mkdtemp(dir)) return 1;
  snprintf(temporary, sizeof temporary, "%s/app.conf.tmp", dir);
  snprintf(final_name, sizeof final_name, "%s/app.conf", dir);
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  struct stat st;
  while (stat(final_name, &st) != 0) usleep(1000);
  printf("%d %d\n", config.workers,
         config.port);  // RACE
  pthread_join(t, NULL);
  unlink(final_name);
  rmdir(dir);
  return 0;
}
