/* One thread parses a line with sscanf into globals while another prints them, with nothing
 * between the two. sscanf writes its outputs inside libc, where nothing records: the call
 * writes each variable a conversion assigned (and reads the line and the format). */
// CHECK: race count
// CHECK: race name[0]
#include <pthread.h>
#include <stdio.h>

static const char line[] = "42 widget";
static int count;
static char name[16];

static void* parser(void* arg) {
  (void)arg;
  if (sscanf(line, "%d %15s", &count, name) != 2) return NULL;  // RACE
  return NULL;
}

static void* printer(void* arg) {
  (void)arg;
  printf("%d %s\n", count, name);  // RACE
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, parser, NULL);
  pthread_create(&b, NULL, printer, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
