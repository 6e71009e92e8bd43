// Separate compilation: the one translation unit that holds Asio's and Beast's implementation.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
