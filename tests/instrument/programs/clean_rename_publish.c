// A worker fills a configuration, writes its file under a temporary name and publishes it
// with rename; main polls stat on the final name and then reads the configuration in
// memory. The rename orders the two. ThreadSanitizer (clang 14) reports a race here: it
// models neither rename nor stat.
// CHECK: no-race
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
  config.workers = 4;
  config.port = 8080;
  FILE* f = fopen(temporary, "w");
  if (!f) exit(1);
  fprintf(f, "%d %d\n", config.workers, config.port);
  fclose(f);
  rename(temporary, final_name);
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
  printf("%d %d\n", config.workers, config.port);
  pthread_join(t, NULL);
  unlink(final_name);
  rmdir(dir);
  return 0;
}
