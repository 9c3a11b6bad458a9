// Strings, wide number conversions, thread attributes, a thread's CPU set and group
// entries, each racing a plain write of another thread: strcoll and strverscmp read their
// strings, memccpy, stpncpy and explicit_bzero write their destination, wcstol and wcstod
// read their text, pthread_attr_getstacksize and pthread_attr_getguardsize write their
// value, pthread_getaffinity_np its set, getgrgid_r and getgrnam_r their result.
// (ThreadSanitizer, clang 14, sees memccpy, pthread_attr_getstacksize,
// pthread_attr_getguardsize, getgrgid_r and getgrnam_r.)
// CHECK: race collated[0]
// CHECK: race version[0]
// CHECK: race copied[0]
// CHECK: race padded[0]
// CHECK: race secret[0]
// CHECK: race wide_number[0]
// CHECK: race wide_real[0]
// CHECK: race stack_size
// CHECK: race guard_size
// CHECK: race cpus
// CHECK: race by_id
// CHECK: race by_name
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <wchar.h>

#include <cstdio>
#include <thread>

char collated[16] = "apple", version[16] = "file10";
const char record[] = "key,value";
char copied[16], padded[16], secret[16] = "hunter2";
wchar_t wide_number[16] = L"12345", wide_real[16] = L"2.5";
pthread_attr_t attributes;
size_t stack_size, guard_size;
cpu_set_t cpus;
group root_by_id, root_by_name;
char id_buffer[1024], name_buffer[1024];
group *by_id, *by_name;

int main() {
  pthread_attr_init(&attributes);
  std::thread writer([] {
    collated[0] = 'a';  // RACE
    version[0] = 'f';  // RACE
    copied[0] = 0;  // RACE
    padded[0] = 0;  // RACE
    secret[0] = 'h';  // RACE
    wide_number[0] = L'1';  // RACE
    wide_real[0] = L'2';  // RACE
    stack_size = 0;  // RACE
    guard_size = 0;  // RACE
    CPU_ZERO(&cpus);  // RACE
    by_id = nullptr;  // RACE
    by_name = nullptr;  // RACE
  });
  long sum = strcoll(collated, "banana");  // RACE
  sum += strverscmp(version, "file9");  // RACE
  sum += memccpy(copied, record, ',', sizeof copied) != nullptr;  // RACE
  sum += stpncpy(padded, record, sizeof padded) != nullptr;  // RACE
  explicit_bzero(secret, sizeof secret);  // RACE
  sum += wcstol(wide_number, nullptr, 10);  // RACE
  sum += static_cast<long>(wcstod(wide_real, nullptr));  // RACE
  sum += pthread_attr_getstacksize(&attributes, &stack_size);  // RACE
  sum += pthread_attr_getguardsize(&attributes, &guard_size);  // RACE
  sum += pthread_getaffinity_np(pthread_self(), sizeof cpus, &cpus);  // RACE
  sum += getgrgid_r(0, &root_by_id, id_buffer, sizeof id_buffer, &by_id);  // RACE
  sum += getgrnam_r("root", &root_by_name, name_buffer, sizeof name_buffer, &by_name);  // RACE
  writer.join();
  std::printf("%d\n", sum != 0);
}
