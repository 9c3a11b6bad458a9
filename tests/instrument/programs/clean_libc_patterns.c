// The twin of race_libc_patterns: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
#include <iconv.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

regex_t pattern;
size_t subexpressions;  // read of the compiled pattern (zeroing it would crash regexec)
char subject[32] = "key=value";
regmatch_t matches[2];
char message[64];
char latin[8] = "caf\xe9";
char utf8[16];
char fields[16] = "one,two,three";

static void* Writer(void* arg) {
  (void)arg;
  subexpressions = pattern.re_nsub;
  subject[0] = 'K';
  matches[0].rm_so = -1;
  message[0] = 0;
  latin[0] = 'C';
  utf8[0] = 0;
  fields[3] = ',';
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  pthread_join(t, NULL);
  long sum = regcomp(&pattern, "=(.*)", REG_EXTENDED);
  sum += regexec(&pattern, subject, 2, matches, 0);
  sum += (long)regerror(REG_NOMATCH, &pattern, message, sizeof message);
  iconv_t cd = iconv_open("UTF-8", "ISO-8859-1");
  char* in = latin;
  char* out = utf8;
  size_t in_left = 4, out_left = sizeof utf8;  // latin's four bytes
  sum += (long)iconv(cd, &in, &in_left, &out, &out_left);
  const char* first = strtok(fields, ",");
  const char* second = strtok(NULL, ",");
  printf("%ld %s %s %s\n", sum, first, second, utf8);
  iconv_close(cd);
  regfree(&pattern);
  return 0;
}
