// Source file the report tests point their frames at, so the HTML report can show snippets.
#include <mutex>

std::mutex accounts_mu;
std::mutex audit_mu;
long balance = 0;

void Transfer(long amount) {
  std::lock_guard<std::mutex> a(accounts_mu);
  std::lock_guard<std::mutex> b(audit_mu);  // line 10: accounts -> audit
  balance += amount;
}

void Audit() {
  std::lock_guard<std::mutex> b(audit_mu);
  std::lock_guard<std::mutex> a(accounts_mu);  // line 16: audit -> accounts
}

void Deposit(long amount) {
  balance += amount;  // line 20: unprotected write
}

long Peek() {
  return balance;  // line 24: unprotected read
}
