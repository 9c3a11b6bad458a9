// The twin of race_libc_strings_attrs: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
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
    collated[0] = 'a';
    version[0] = 'f';
    copied[0] = 0;
    padded[0] = 0;
    secret[0] = 'h';
    wide_number[0] = L'1';
    wide_real[0] = L'2';
    stack_size = 0;
    guard_size = 0;
    CPU_ZERO(&cpus);
    by_id = nullptr;
    by_name = nullptr;
  });
  writer.join();
  long sum = strcoll(collated, "banana");
  sum += strverscmp(version, "file9");
  sum += memccpy(copied, record, ',', sizeof copied) != nullptr;
  sum += stpncpy(padded, record, sizeof padded) != nullptr;
  explicit_bzero(secret, sizeof secret);
  sum += wcstol(wide_number, nullptr, 10);
  sum += static_cast<long>(wcstod(wide_real, nullptr));
  sum += pthread_attr_getstacksize(&attributes, &stack_size);
  sum += pthread_attr_getguardsize(&attributes, &guard_size);
  sum += pthread_getaffinity_np(pthread_self(), sizeof cpus, &cpus);
  sum += getgrgid_r(0, &root_by_id, id_buffer, sizeof id_buffer, &by_id);
  sum += getgrnam_r("root", &root_by_name, name_buffer, sizeof name_buffer, &by_name);
  std::printf("%d\n", sum != 0);
}
