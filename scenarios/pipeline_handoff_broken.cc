// Scenario pipeline_handoff_broken: pipeline_handoff with one added debug line. The consumer
// logs what the slot holds before waiting for its turn, so it reads the slot while the
// producer may be writing it. The fix is pipeline_handoff.cc.
//
// STORY: the Consumer peeks at the slot for a log line before waiting for its turn
// EXPECT: race variables=message
#include <cstdio>
#include <random>
#include <semaphore>
#include <thread>

#include "threadlens/threadlens.h"

namespace {

constexpr int kSentinel = -1;

class Pipeline {
 public:
  Pipeline() { threadlens_name_variable(&message_, sizeof message_, "message"); }

  void SetMessage(int message) {
    producer_lock_.acquire();
    message_ = message;
    consumer_lock_.release();
  }

  int GetMessage() {
    // The bug: the slot is read before the consumer waited for its turn.
    std::printf("Consumer: about to acquire getlock, slot holds %d\n", message_);
    consumer_lock_.acquire();
    int message = message_;
    producer_lock_.release();
    return message;
  }

 private:
  int message_ = 0;
  std::binary_semaphore producer_lock_{1};
  std::binary_semaphore consumer_lock_{0};
};

void Produce(Pipeline& pipeline) {
  threadlens_name_thread("Producer");
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> network(1, 101);
  for (int i = 0; i < 10; ++i) {
    int message = network(rng);
    std::printf("Producer got message: %d\n", message);
    pipeline.SetMessage(message);
  }
  pipeline.SetMessage(kSentinel);
}

void Consume(Pipeline& pipeline) {
  threadlens_name_thread("Consumer");
  for (int message = pipeline.GetMessage(); message != kSentinel; message = pipeline.GetMessage()) {
    std::printf("Consumer storing message: %d\n", message);
  }
}

}  // namespace

int main() {
  threadlens_name_thread("MainThread");
  Pipeline pipeline;
  std::thread producer(Produce, std::ref(pipeline));
  std::thread consumer(Consume, std::ref(pipeline));
  producer.join();
  consumer.join();
  return 0;
}
