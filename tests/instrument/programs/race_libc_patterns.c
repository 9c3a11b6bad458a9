// Regular expressions, character set conversion and strtok, each racing a plain write of
// another thread: regcomp writes the compiled pattern, regexec reads the subject and writes
// the matches, regerror writes its message, iconv reads its input and writes its output,
// strtok writes a terminator over the delimiter it stopped at.
// CHECK: race pattern.re_nsub
// CHECK: race subject[0]
// CHECK: race matches[0].rm_so
// CHECK: race message[0]
// CHECK: race latin[0]
// CHECK: race utf8[0]
// CHECK: race fields[3]
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
  subexpressions = pattern.re_nsub;  // RACE
  subject[0] = 'K';  // RACE
  matches[0].rm_so = -1;  // RACE
  message[0] = 0;  // RACE
  latin[0] = 'C';  // RACE
  utf8[0] = 0;  // RACE
  fields[3] = ';';  // RACE
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  long sum = regcomp(&pattern, "=(.*)", REG_EXTENDED);  // RACE
  sum += regexec(&pattern, subject, 2, matches, 0);  // RACE
  sum += (long)regerror(REG_NOMATCH, &pattern, message, sizeof message);  // RACE
  iconv_t cd = iconv_open("UTF-8", "ISO-8859-1");
  char* in = latin;
  char* out = utf8;
  size_t in_left = 4, out_left = sizeof utf8;  // latin's four bytes
  sum += (long)iconv(cd, &in, &in_left, &out, &out_left);  // RACE
  const char* first = strtok(fields, ",");  // RACE
  pthread_join(t, NULL);
  printf("%ld %s\n", sum, first);
  iconv_close(cd);
  regfree(&pattern);
  return 0;
}
