# The demo workload of `aprof demo`: a small network service in Python.
# It writes and reads a file, serves one TCP echo on 127.0.0.1 from a
# thread, and runs a child process. aprof records it and scores it.
import os
import socket
import subprocess
import tempfile
import threading

workdir = tempfile.mkdtemp(prefix="aprof-demo-")
path = os.path.join(workdir, "data.txt")
with open(path, "w") as f:
    f.write("attack profile\n")
with open(path, "rb") as f:
    data = f.read()
os.remove(path)
os.rmdir(workdir)

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)


def serve():
    conn, _ = server.accept()
    conn.sendall(conn.recv(64))
    conn.close()


thread = threading.Thread(target=serve)
thread.start()
client = socket.create_connection(server.getsockname())
client.sendall(data)
echoed = client.recv(64)
client.close()
thread.join()
server.close()
if echoed != data:
    raise SystemExit("the echo differs")
subprocess.run(["true"], check=True)
