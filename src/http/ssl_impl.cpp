// Separate compilation of Asio's TLS streams, in the layer that links libssl (core links only libcrypto).
#include <boost/asio/ssl/impl/src.hpp>
