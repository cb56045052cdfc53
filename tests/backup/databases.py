"""Throwaway MariaDB and PostgreSQL databases for the dump tests: sample content with awkward text and
every byte value, read back in a form that compares exactly, and a stand-in server that refuses passwords."""

import shutil
import socket
import struct
import subprocess
import threading

import psycopg

HOST = "127.0.0.1"
TITLE = "Pengumuman Ďíšková ✓"
AWKWARD = "Baris\nbaru 'kutip' \\ garis \"ganda\"\ttab\r\n`backtick` ; -- bukan komentar"
BLOB = bytes(range(256))
MARIADB = shutil.which("mariadb") or "mariadb"  # found once: tests put other folders on PATH


def mariadb(sql: str, *options: str) -> str:
    argv = [MARIADB, f"--host={HOST}", "--port=3306", "--user=root", "--batch", "--skip-column-names",
            "--default-character-set=utf8mb4", *options]
    return subprocess.run(argv, input=sql.encode(), capture_output=True, check=True).stdout.decode()


def pg_connect(database: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=5432, user="postgres", dbname=database, autocommit=True)


def fill_mariadb(name: str) -> None:
    def text(value: str) -> str:
        return f"_utf8mb4 X'{value.encode().hex()}'"

    mariadb(f"""
        CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
        USE `{name}`;
        CREATE TABLE pengumuman (id INT PRIMARY KEY, judul VARCHAR(200) NOT NULL, berkas LONGBLOB NULL,
                                 dibuat DATETIME(6) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE jejak (id INT AUTO_INCREMENT PRIMARY KEY, pesan VARCHAR(100));
        CREATE TABLE angka (id INT PRIMARY KEY, teks CHAR(64)) DEFAULT CHARSET=latin1;
        CREATE TRIGGER catat AFTER INSERT ON pengumuman FOR EACH ROW
            INSERT INTO jejak (pesan) VALUES (CONCAT('baru ', NEW.id));
        CREATE VIEW judul_saja AS SELECT id, judul FROM pengumuman;
        CREATE PROCEDURE hitung() SELECT COUNT(*) FROM pengumuman;
        INSERT INTO pengumuman VALUES (1, {text(TITLE)}, X'{BLOB.hex()}', '2024-08-17 10:00:00.123456'),
            (2, {text(AWKWARD)}, X'', NULL), (3, '', NULL, '1999-12-31 23:59:59');
        INSERT INTO angka SELECT seq, SHA2(seq, 256) FROM seq_1_to_5000;
    """)


def mariadb_content(name: str) -> dict[str, str]:
    queries = {
        "pengumuman": "SELECT id, HEX(judul), HEX(berkas), dibuat FROM pengumuman ORDER BY id",
        "jejak": "SELECT id, pesan FROM jejak ORDER BY id",
        "angka": "SELECT id, teks FROM angka ORDER BY id",
        "view": "SELECT id, HEX(judul) FROM judul_saja ORDER BY id",
        "call": "CALL hitung()",
        "triggers": "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()",
        "columns": "SELECT table_name, column_name, character_set_name, collation_name FROM information_schema"
                   ".columns WHERE table_schema = DATABASE() ORDER BY table_name, column_name",
    }
    return {key: mariadb(sql, "--", name) for key, sql in queries.items()}


def fill_postgres(name: str) -> None:
    with pg_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
    with pg_connect(name) as conn:
        conn.execute("""
            CREATE TABLE pengumuman (id serial PRIMARY KEY, judul text NOT NULL, berkas bytea,
                                     dibuat timestamptz, data jsonb);
            CREATE TABLE jejak (id serial PRIMARY KEY, pesan text);
            CREATE FUNCTION catat() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN INSERT INTO jejak (pesan) VALUES ('baru ' || NEW.id); RETURN NEW; END $$;
            CREATE TRIGGER catat AFTER INSERT ON pengumuman FOR EACH ROW EXECUTE FUNCTION catat();
            CREATE VIEW judul_saja AS SELECT id, judul FROM pengumuman;
            CREATE TABLE angka AS SELECT n AS id, md5(n::text) AS teks FROM generate_series(1, 5000) AS n;
        """)
        rows = [(TITLE, BLOB, "2024-08-17 10:00:00.123456+07", '{"status": "terbit ✓"}'),
                (AWKWARD, b"", None, None), ("", None, "1999-12-31 23:59:59+00", "[]")]
        for row in rows:
            conn.execute("INSERT INTO pengumuman (judul, berkas, dibuat, data) VALUES (%s, %s, %s, %s)", row)


def postgres_content(name: str) -> dict[str, list[tuple]]:
    queries = {
        "pengumuman": "SELECT id, judul, berkas, dibuat, data FROM pengumuman ORDER BY id",
        "jejak": "SELECT id, pesan FROM jejak ORDER BY id",
        "angka": "SELECT id, teks FROM angka ORDER BY id",
        "view": "SELECT id, judul FROM judul_saja ORDER BY id",
        "sequence": "SELECT last_value FROM pengumuman_id_seq",
    }
    with pg_connect(name) as conn:
        return {key: conn.execute(sql).fetchall() for key, sql in queries.items()}


class PasswordRefusingServer(threading.Thread):
    """Just enough of the PostgreSQL wire protocol to ask for a cleartext password and refuse it."""

    def __init__(self):
        super().__init__(daemon=True)
        self.listener = socket.create_server((HOST, 0))
        self.listener.settimeout(30)
        self.port = self.listener.getsockname()[1]
        self.passwords: list[str] = []

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *_):
        self.listener.close()
        self.join(5)

    def run(self):
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            while True:  # answer "no" to SSL and GSS encryption requests, then read the startup
                length, code = struct.unpack("!II", self.receive(conn, 8))
                self.receive(conn, length - 8)
                if code not in (80877103, 80877104):
                    break
                conn.sendall(b"N")
            conn.sendall(b"R" + struct.pack("!II", 8, 3))  # AuthenticationCleartextPassword
            _, length = struct.unpack("!cI", self.receive(conn, 5))
            self.passwords.append(self.receive(conn, length - 4).rstrip(b"\0").decode())
            fields = b'SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "postgres"\0\0'
            conn.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)

    @staticmethod
    def receive(conn, size):
        data = b""
        while len(data) < size:
            more = conn.recv(size - len(data))
            if not more:
                raise ConnectionError("client went away")
            data += more
        return data
