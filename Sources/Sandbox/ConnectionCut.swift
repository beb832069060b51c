/// Thrown after the sandbox cut a connection on purpose (reset fault): no response follows.
struct ConnectionCut: Error {}
