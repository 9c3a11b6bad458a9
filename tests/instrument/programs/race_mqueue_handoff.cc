// The twin of clean_mqueue_handoff: the producer changes the job after sending it, and
// nothing orders that change before the consumer's read.
// CHECK: race Job::id in heap block allocated at main race_mqueue_handoff.cc:28
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
    std::snprintf(job->label, sizeof job->label, "seven");
    mq_send(queue, reinterpret_cast<const char*>(&job), sizeof job, 0);
    job->id = 7;  // RACE
  });
  Job* got = nullptr;
  unsigned priority = 0;
  if (mq_receive(queue, reinterpret_cast<char*>(&got), sizeof got, &priority) < 0) return 1;
  std::printf("%d %s %u\n", got->id, got->label, priority);  // RACE
  producer.join();
  delete job;
  mq_close(queue);
}
