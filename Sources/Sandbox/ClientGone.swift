/// Thrown when the client went away while its body was being read.
struct ClientGone: Error {}
