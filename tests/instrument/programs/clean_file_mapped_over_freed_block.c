// A large block (its own mapping in the C library) is freed, and a file is then mapped at
// the very pages it had: reading the file's bytes is no use of the freed block. The C
// library's munmap is unseen, so the file's mapping itself must end the block's life. Its
// twin, race_use_after_free_own_thread, reads the freed block.
// CHECK: no-race
// CHECK: exit 0
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
  const size_t size = 1 << 20;
  char* block = malloc(size);  // above the mmap threshold: a mapping of its own
  block[0] = 1;
  void* page = (void*)((uintptr_t)block & ~(uintptr_t)4095);
  free(block);  // unmapped by the C library
  char path[] = "/tmp/threadlens-mapped-XXXXXX";
  const int fd = mkstemp(path);
  char line[64];
  snprintf(line, sizeof line, "%63s", "a line of text, past the first 16 bytes of the page");
  if (fd < 0 || write(fd, line, sizeof line) != (ssize_t)sizeof line) return 2;
  unlink(path);
  char* text = mmap(page, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
  if (text != page) {
    fprintf(stderr, "the freed pages were taken\n");
    return 1;
  }
  printf("%c\n", text[32]);  // where the block's bytes were
  munmap(text, 4096);
  close(fd);
  return 0;
}
