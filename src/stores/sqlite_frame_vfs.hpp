#pragma once
// A VFS over SQLite's default one that writes each WAL frame with one system call instead of two.
//
// SQLite appends a frame to the WAL in two writes: its 24-byte header, then the page. On Linux
// each `pwrite` costs about as much as the other whatever its size (the page cache, the inode's
// times), so a session saved to SQLite paid twice for every page it dirtied. This VFS holds the
// header back for the one call until the page arrives, and writes both together.
//
// Why holding it is safe: SQLite writes a frame's header and page in two calls in a row (wal.c,
// walWriteOneFrame), and nobody reads a frame before the commit that wrote it is published in the
// WAL index, which SQLite does after a memory barrier on the database file. Every other call on
// this thread that reads, writes, syncs, locks, maps or closes a file (the barrier included)
// first writes the header it holds. So what SQLite writes is in the file, in order, before anyone may look for it, and a
// crash of this process loses nothing that was committed. The file format is SQLite's own: a
// Node process sharing the file with its own SQLite sees nothing different.

namespace cortado::stores {

/// The name of the VFS to pass to sqlite3_open_v2, registered at the first call (once per
/// process, thread-safe). nullptr when the default VFS is not SQLite's "unix" one, whose files
/// this VFS knows to be complete (every method of version 3): then the default is used as is.
const char* sqlite_frame_vfs_name();

}  // namespace cortado::stores
