// A producer fills a job and sends a pointer to it through a POSIX message queue; the
// consumer receives the pointer and reads the job. The send happens before the receive that
// returns it, so the job's fields are ordered. (ThreadSanitizer, clang 14, does not model
// message queues and reports a race here.)
// CHECK: no-race
#include <fcntl.h>
#include <mqueue.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

struct Job {
  int id;
  char label[16];
};

int main() {
  const std::string name = "/threadlens-handoff-" + std::to_string(getpid());
  mq_attr attr{};
  attr.mq_maxmsg = 4;
  attr.mq_msgsize = sizeof(Job*);
  mqd_t queue = mq_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
  if (queue == static_cast<mqd_t>(-1)) {
    std::perror("mq_open");
    return 1;
  }
  mq_unlink(name.c_str());
  Job* job = new Job;
  std::thread producer([&] {
    job->id = 7;
    std::snprintf(job->label, sizeof job->label, "seven");
    mq_send(queue, reinterpret_cast<const char*>(&job), sizeof job, 0);
  });
  Job* got = nullptr;
  unsigned priority = 0;
  if (mq_receive(queue, reinterpret_cast<char*>(&got), sizeof got, &priority) < 0) return 1;
  std::printf("%d %s %u\n", got->id, got->label, priority);
  producer.join();
  delete job;
  mq_close(queue);
}
