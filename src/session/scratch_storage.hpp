#pragma once
// Memory for the JSON the middleware hands a store on each request (the session to save or to
// touch): a session's object, its cookie and every key would each take an allocation from the
// heap; from here they take one between them, freed when the last value using it goes.

#include <boost/json/storage_ptr.hpp>

namespace cortado::detail {

/// A fresh reference-counted bump allocator: 512 bytes on first use, more when a session is
/// larger. Never for a value that is edited for long: nothing is freed until the end.
boost::json::storage_ptr scratch_storage();

}  // namespace cortado::detail
