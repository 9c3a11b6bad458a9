/* The two files of the flock programs that span processes (flock_across_fork.h,
   flocks_two_processes.h), named from SPOOL_PATH, and the file one side creates to say it is
   done. */
#pragma once

#include <unistd.h>

static const char spool[] = SPOOL_PATH "-spool";
static const char index_[] = SPOOL_PATH "-index";
static const char done[] = SPOOL_PATH ".done";

// Waits until `file` exists: the other side says it is done, with no memory between them.
static void WaitFor(const char* file) {
  while (access(file, F_OK) != 0) usleep(10 * 1000);
}
