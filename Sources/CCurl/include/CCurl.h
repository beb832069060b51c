#ifndef MEDIAUP_CCURL_H
#define MEDIAUP_CCURL_H

// Typed entry points for libcurl's variadic functions, which Swift cannot call.
// Each wrapper forwards one argument of one type; none holds any logic.
#include <curl/curl.h>

CURLcode mediaup_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode mediaup_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode mediaup_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode mediaup_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode mediaup_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode mediaup_curl_setopt_read_function(CURL *handle, curl_read_callback callback);
CURLcode mediaup_curl_setopt_write_function(CURL *handle, curl_write_callback callback);
CURLcode mediaup_curl_setopt_header_function(CURL *handle, curl_write_callback callback);
CURLcode mediaup_curl_setopt_xferinfo_function(CURL *handle, curl_xferinfo_callback callback);
CURLcode mediaup_curl_setopt_seek_function(CURL *handle, curl_seek_callback callback);
CURLcode mediaup_curl_setopt_sockopt_function(CURL *handle, curl_sockopt_callback callback);
CURLcode mediaup_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode mediaup_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode mediaup_curl_getinfo_socket(CURL *handle, CURLINFO info, curl_socket_t *value);

// Bytes in a socket's send queue that the peer has not acknowledged (SIOCOUTQ), or -1.
// ioctl is variadic, hence this wrapper.
int mediaup_socket_unacknowledged_bytes(curl_socket_t socket);

#endif
