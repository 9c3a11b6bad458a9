/* The twin of race_sscanf_fields: the printing thread starts after the parser is joined. A
 * conversion the input runs out for assigns nothing, so a third thread that reads `spare`
 * meanwhile does not race with the parser. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>

static const char line[] = "42 widget";
static int count, spare;
static char name[16];

static void* parser(void* arg) {
  (void)arg;
  /* Two conversions assign; the input ends before the third. %*s assigns nothing either. */
  if (sscanf(line, "%d %15s %d", &count, name, &spare) != 2) return NULL;
  int skipped = 0;
  if (sscanf(line, "%*d %n", &skipped) != 0) return NULL;
  return NULL;
}

static void* printer(void* arg) {
  (void)arg;
  printf("%d %s\n", count, name);
  return NULL;
}

static void* watcher(void* arg) {
  (void)arg;
  printf("%d\n", spare);
  return NULL;
}

int main(void) {
  pthread_t a, b, w;
  pthread_create(&w, NULL, watcher, NULL);
  pthread_create(&a, NULL, parser, NULL);
  pthread_join(a, NULL);
  pthread_create(&b, NULL, printer, NULL);
  pthread_join(b, NULL);
  pthread_join(w, NULL);
  return 0;
}
