// The frame-joining VFS: SQLite's "unix" VFS, with a WAL frame's header written together with its page.
#include "sqlite_frame_vfs.hpp"

#include <sqlite3.h>

#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cortado::stores {
namespace {

// WAL_FRAME_HDRSIZE in SQLite's wal.c: part of the WAL's file format, so it cannot change.
constexpr int kFrameHeaderBytes = 24;

// SQLite allocates a file's memory (szOsFile bytes) and never runs a constructor, so this holds
// only plain members; the default VFS's own file lives right after it in the same allocation.
struct FrameFile {
  sqlite3_file base;  // first: SQLite sees a FrameFile as this
  sqlite3_file* real;
  bool wal;
  sqlite3_int64 held_offset;       // where the held header goes; -1 when none is held
  sqlite3_int64 last_read_offset;  // where the last read of this file began; -1 before any
  unsigned char held[kFrameHeaderBytes];
};
static_assert(std::is_trivial_v<FrameFile> && std::is_standard_layout_v<FrameFile>);

// The real file starts at the first multiple of 8 after the FrameFile.
constexpr int kRealFileOffset = (sizeof(FrameFile) + 7) / 8 * 8;

// The one file whose header this thread holds: SQLite writes a frame's two parts on one thread,
// and the header must reach the file before this thread does anything else with SQLite's files.
thread_local FrameFile* t_holding = nullptr;

sqlite3_file* real(sqlite3_file* file) { return reinterpret_cast<FrameFile*>(file)->real; }
sqlite3_vfs* real(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

// Lets go of `file`'s held header (still in file->held): where it goes.
sqlite3_int64 release_held(FrameFile* file) {
  t_holding = nullptr;
  return std::exchange(file->held_offset, -1);
}

int write_held() {
  FrameFile* file = t_holding;
  if (file == nullptr) return SQLITE_OK;
  const sqlite3_int64 offset = release_held(file);
  return file->real->pMethods->xWrite(file->real, file->held, kFrameHeaderBytes, offset);
}

// Header and page in one buffer, one per thread, as large as the largest page seen.
int write_frame(FrameFile* file, const void* page, int page_bytes) {
  thread_local std::vector<unsigned char> frame;
  const auto bytes = static_cast<std::size_t>(kFrameHeaderBytes + page_bytes);
  if (frame.size() < bytes) frame.resize(bytes);
  std::memcpy(frame.data(), file->held, kFrameHeaderBytes);
  std::memcpy(frame.data() + kFrameHeaderBytes, page, static_cast<std::size_t>(page_bytes));
  const sqlite3_int64 offset = release_held(file);
  return file->real->pMethods->xWrite(file->real, frame.data(), static_cast<int>(bytes), offset);
}

int frame_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  auto* file = reinterpret_cast<FrameFile*>(f);
  if (t_holding == file && offset == file->held_offset + kFrameHeaderBytes) return write_frame(file, data, amount);
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  // A new frame's header. A header rewritten in place (wal.c, walRewriteChecksums, at a commit
  // whose frames were overwritten) comes right after a read of its frame, and no page follows it:
  // that one is written at once.
  if (file->wal && amount == kFrameHeaderBytes && offset != file->last_read_offset) {
    std::memcpy(file->held, data, kFrameHeaderBytes);
    file->held_offset = offset;
    t_holding = file;
    return SQLITE_OK;
  }
  return file->real->pMethods->xWrite(file->real, data, amount, offset);
}

// The methods that read, write, sync, lock, map or close write the held header first; each is
// then the default VFS's own (those that only ask, as sector_size, forward at once).
int frame_close(sqlite3_file* f) {
  const int held = write_held();
  const int rc = real(f)->pMethods->xClose(real(f));
  return held != SQLITE_OK ? held : rc;
}
int frame_read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  reinterpret_cast<FrameFile*>(f)->last_read_offset = offset;
  return real(f)->pMethods->xRead(real(f), data, amount, offset);
}
int frame_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xTruncate(real(f), size);
}
int frame_sync(sqlite3_file* f, int flags) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xSync(real(f), flags);
}
int frame_file_size(sqlite3_file* f, sqlite3_int64* size) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xFileSize(real(f), size);
}
int frame_lock(sqlite3_file* f, int level) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xLock(real(f), level);
}
int frame_unlock(sqlite3_file* f, int level) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xUnlock(real(f), level);
}
int frame_check_reserved_lock(sqlite3_file* f, int* out) {
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int frame_file_control(sqlite3_file* f, int op, void* arg) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int frame_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int frame_device_characteristics(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int frame_shm_map(sqlite3_file* f, int region, int bytes, int extend, void volatile** out) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xShmMap(real(f), region, bytes, extend, out);
}
int frame_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
// SQLite publishes a commit in the WAL index right after this barrier (wal.c, walIndexWriteHdr),
// so nothing may be held past it. Nothing is in practice: a held header's page is SQLite's very
// next call, which writes both (and reports their error).
void frame_shm_barrier(sqlite3_file* f) {
  write_held();
  real(f)->pMethods->xShmBarrier(real(f));
}
int frame_shm_unmap(sqlite3_file* f, int delete_flag) {
  if (const int rc = write_held(); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}
int frame_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int frame_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return real(f)->pMethods->xUnfetch(real(f), offset, page);
}

const sqlite3_io_methods kFrameMethods = {
    3,
    frame_close,
    frame_read,
    frame_write,
    frame_truncate,
    frame_sync,
    frame_file_size,
    frame_lock,
    frame_unlock,
    frame_check_reserved_lock,
    frame_file_control,
    frame_sector_size,
    frame_device_characteristics,
    frame_shm_map,
    frame_shm_lock,
    frame_shm_barrier,
    frame_shm_unmap,
    frame_fetch,
    frame_unfetch,
};

int frame_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* file = reinterpret_cast<FrameFile*>(f);
  file->base.pMethods = nullptr;
  file->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kRealFileOffset);
  file->wal = (flags & SQLITE_OPEN_WAL) != 0;
  file->held_offset = -1;
  file->last_read_offset = -1;
  const int rc = real(vfs)->xOpen(real(vfs), name, file->real, flags, out_flags);
  // SQLite closes a file whose pMethods is set, even after a failed open: as the real file says.
  if (file->real->pMethods != nullptr) file->base.pMethods = &kFrameMethods;
  return rc;
}

// The VFS's other methods are the default VFS's, called with the default VFS.
int frame_delete(sqlite3_vfs* v, const char* name, int sync_dir) { return real(v)->xDelete(real(v), name, sync_dir); }
int frame_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return real(v)->xAccess(real(v), name, flags, out);
}
int frame_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return real(v)->xFullPathname(real(v), name, n, out);
}
void* frame_dl_open(sqlite3_vfs* v, const char* name) { return real(v)->xDlOpen(real(v), name); }
void frame_dl_error(sqlite3_vfs* v, int n, char* out) { real(v)->xDlError(real(v), n, out); }
void (*frame_dl_sym(sqlite3_vfs* v, void* handle, const char* symbol))(void) {
  return real(v)->xDlSym(real(v), handle, symbol);
}
void frame_dl_close(sqlite3_vfs* v, void* handle) { real(v)->xDlClose(real(v), handle); }
int frame_randomness(sqlite3_vfs* v, int n, char* out) { return real(v)->xRandomness(real(v), n, out); }
int frame_sleep(sqlite3_vfs* v, int microseconds) { return real(v)->xSleep(real(v), microseconds); }
int frame_current_time(sqlite3_vfs* v, double* out) { return real(v)->xCurrentTime(real(v), out); }
int frame_get_last_error(sqlite3_vfs* v, int n, char* out) { return real(v)->xGetLastError(real(v), n, out); }
int frame_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
  return real(v)->xCurrentTimeInt64(real(v), out);
}
int frame_set_system_call(sqlite3_vfs* v, const char* name, sqlite3_syscall_ptr call) {
  return real(v)->xSetSystemCall(real(v), name, call);
}
sqlite3_syscall_ptr frame_get_system_call(sqlite3_vfs* v, const char* name) {
  return real(v)->xGetSystemCall(real(v), name);
}
const char* frame_next_system_call(sqlite3_vfs* v, const char* name) {
  return real(v)->xNextSystemCall(real(v), name);
}

const char* register_frame_vfs() {
  sqlite3_vfs* unix_vfs = sqlite3_vfs_find(nullptr);
  if (unix_vfs == nullptr || unix_vfs->iVersion < 3 || std::string_view(unix_vfs->zName) != "unix") return nullptr;
  // Registered once and never unregistered: SQLite keeps the pointer while any connection is open.
  static sqlite3_vfs vfs = {
      3,
      kRealFileOffset + unix_vfs->szOsFile,
      unix_vfs->mxPathname,
      nullptr,
      "cortado-frames",
      unix_vfs,
      frame_open,
      frame_delete,
      frame_access,
      frame_full_pathname,
      frame_dl_open,
      frame_dl_error,
      frame_dl_sym,
      frame_dl_close,
      frame_randomness,
      frame_sleep,
      frame_current_time,
      frame_get_last_error,
      frame_current_time_int64,
      frame_set_system_call,
      frame_get_system_call,
      frame_next_system_call,
  };
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
  return vfs.zName;
}

}  // namespace

const char* sqlite_frame_vfs_name() {
  static const char* const name = register_frame_vfs();
  return name;
}

}  // namespace cortado::stores
