// Reply nodes of one block each, for hiredis's parser.
//
// hiredis's own nodes take two allocations each (the node by calloc, then its text or its element
// array by malloc), and glibc's calloc never uses the per-thread cache that malloc has, so under a
// pipelined load every node went through malloc's slower bins (W1r at 64 connections: 31,101
// instructions per request before, 29,942 after). Here a node and what it points to are one
// block. The layout stays hiredis's redisReply, so that the code reading replies does not change.
#include "redis_reply.hpp"

#include "core/kept_blocks.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace cortado::stores {

namespace {

using detail::KeptBlocks;

// A node of `type`, its other fields zero, followed by `extra` bytes of its own; null when memory
// ran out (hiredis then reports "out of memory" itself). From the thread's kept blocks: a reply
// lives until its caller has read it, so with 64 requests waiting on Redis, freed nodes pile up
// past what glibc keeps per thread (see kept_blocks.hpp).
redisReply* new_node(int type, std::size_t extra) {
  void* block = nullptr;
  try {
    block = KeptBlocks::allocate(sizeof(redisReply) + extra);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
  auto* node = new (block) redisReply{};
  node->type = type;
  return node;
}

// An array node of `count` elements, its element pointers right after it, each null until
// linked; null when memory ran out.
redisReply* new_array(std::size_t count) {
  redisReply* node = new_node(REDIS_REPLY_ARRAY, count * sizeof(redisReply*));
  if (node == nullptr) return nullptr;
  if (count > 0) {
    node->element = reinterpret_cast<redisReply**>(node + 1);
    std::fill_n(node->element, count, nullptr);
  }
  node->elements = count;
  return node;
}

// The `extra` a node was made with: its element pointers, or its text and the NUL after it.
std::size_t extra_of(const redisReply& node) noexcept {
  if (node.type == REDIS_REPLY_ARRAY) return node.elements * sizeof(redisReply*);
  return node.str != nullptr ? node.len + 1 : 0;
}

void free_node(redisReply* node) noexcept {
  if (node->type == REDIS_REPLY_ARRAY) {
    for (std::size_t i = 0; i < node->elements; ++i) {
      if (node->element[i] != nullptr) free_node(node->element[i]);  // null: the parse stopped before it
    }
  }
  KeptBlocks::deallocate(node, sizeof(redisReply) + extra_of(*node));
}

// hiredis builds a tree top-down: each node made for an element is linked into its parent here,
// as its own functions do.
void* linked(const redisReadTask* task, redisReply* node) {
  if (node != nullptr && task->parent != nullptr) {
    static_cast<redisReply*>(task->parent->obj)->element[task->idx] = node;
  }
  return node;
}

void* create_string(const redisReadTask* task, char* text, std::size_t length) {
  redisReply* node = new_node(task->type, length + 1);  // the text, NUL-terminated as hiredis's
  if (node == nullptr) return nullptr;
  node->str = reinterpret_cast<char*>(node + 1);
  std::memcpy(node->str, text, length);
  node->str[length] = '\0';
  node->len = length;
  return linked(task, node);
}

void* create_array(const redisReadTask* task, int elements) {
  return linked(task, new_array(elements > 0 ? static_cast<std::size_t>(elements) : 0));
}

void* create_integer(const redisReadTask* task, long long value) {
  redisReply* node = new_node(REDIS_REPLY_INTEGER, 0);
  if (node == nullptr) return nullptr;
  node->integer = value;
  return linked(task, node);
}

void* create_nil(const redisReadTask* task) { return linked(task, new_node(REDIS_REPLY_NIL, 0)); }

void free_object(void* node) {
  if (node != nullptr) free_node(static_cast<redisReply*>(node));
}

// Not const: hiredis's reader keeps a pointer to a mutable struct.
redisReplyObjectFunctions own_functions{create_string, create_array, create_integer, create_nil, free_object};

}  // namespace

void RedisReplyFree::operator()(redisReply* reply) const { free_object(reply); }

RedisReader make_redis_reader() {
  RedisReader reader(redisReaderCreateWithFunctions(&own_functions), redisReaderFree);
  if (!reader) throw std::bad_alloc();
  return reader;
}

void use_own_replies(redisContext* context) { context->reader->fn = &own_functions; }

RedisReplyPtr redis_reply_pair(RedisReplyPtr first, RedisReplyPtr second) noexcept {
  redisReply* pair = new_array(2);
  if (pair == nullptr) return nullptr;
  pair->element[0] = first.release();
  pair->element[1] = second.release();
  return RedisReplyPtr(pair);
}

}  // namespace cortado::stores
