// The runtime's lock-free tables (runtime_maps.cc): thread ids by pthread_t, the locks
// already announced, and every lock object a lock event named.
#pragma once

#include <pthread.h>

#include <cstdint>

namespace threadlens::rt {

// Thread ids: pthread_t -> tid, filled at create and at thread start.
void TidMapSet(pthread_t t, uint32_t tid);
uint32_t TidMapGet(pthread_t t);

// Known locks, so a lock seen first at use (static initializer) gets its kLockCreate.
// Returns true when `addr` was not known and is now.
bool LockSetInsert(uint64_t addr);
bool LockSetContains(uint64_t addr);
void LockSetErase(uint64_t addr);

// A lock event named `addr` (EmitTo); the end record counts the distinct ones.
void NoteLockNamed(uint64_t addr);
// The end record's `locks`: distinct lock objects named plus one, 0 when not counted.
uint32_t LocksNamedForEnd();

// Maps the tables (runtime start); a fork child starts them empty.
void InitObjectMaps();
void ResetLockSet();

}  // namespace threadlens::rt
