"""A loopback SMTP server speaking just enough of RFC 5321 for Django's SMTP backend, with the faults a real one has."""

import contextlib
import socket
import threading


class FakeSmtp:
    """Answers EHLO, MAIL, RCPT, DATA and QUIT on 127.0.0.1.

    `after_data`: "accept" (250), "refuse" (554) or "stall" (reads the letter and never answers, as a server
    that took it but whose answer was lost). `refuse_rcpt`: answer RCPT with 550. `letters` keeps every DATA.
    """

    def __init__(self, *, after_data="accept", refuse_rcpt=False):
        self.after_data, self.refuse_rcpt = after_data, refuse_rcpt
        self.letters: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(10)
                with contextlib.suppress(OSError):
                    self._talk(connection)

    def _talk(self, connection):
        reader = connection.makefile("rb")
        connection.sendall(b"220 fake ESMTP\r\n")
        while line := reader.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                connection.sendall(b"250 fake\r\n")
            elif command.startswith("MAIL"):
                connection.sendall(b"250 OK\r\n")
            elif command.startswith("RCPT"):
                connection.sendall(b"550 No such user\r\n" if self.refuse_rcpt else b"250 OK\r\n")
            elif command == "DATA":
                connection.sendall(b"354 Go ahead\r\n")
                letter = []
                while (data := reader.readline()) not in (b".\r\n", b""):
                    letter.append(data.decode("utf-8", "replace"))
                self.letters.append("".join(letter))
                if self.after_data == "stall":
                    self.stopped.wait(10)
                    return
                connection.sendall(b"554 Rejected\r\n" if self.after_data == "refuse" else b"250 Queued\r\n")
            elif command == "QUIT":
                connection.sendall(b"221 Bye\r\n")
                return
            else:
                connection.sendall(b"250 OK\r\n")

    def close(self):
        self.stopped.set()
        self.thread.join(timeout=5)
        self.listener.close()
