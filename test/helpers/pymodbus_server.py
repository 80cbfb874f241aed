"""A pymodbus 3.0 server for end-to-end tests and benchmarks: a Modbus peer nobody here wrote.

Configured by one JSON argument; prints one JSON line per request it serves (so a test can assert
what actually reached the device) and a ready line once it listens. Run with /usr/bin/python3
(Debian's python3-pymodbus 3.0.0rc1).

Config:
  {"mode": "tcp", "host": "127.0.0.1", "port": 5020, "framer": "socket" | "rtu",
   "mode": "serial", "serialPort": "/tmp/x/b", "baudrate": 9600,
   "log": true,
   "units": {"1": {"holding": {"0": [1, 2], "10": 7} | [1, 2, 3], "input": ..., "coils": ...,
                   "discrete": ...}}}
Only the addresses listed exist; any other address answers exception 2 (illegal data address).
Units not listed get no answer at all (the client times out), like a dead device on a shared bus.

Output lines:
  {"event": "ready", "mode": "tcp", "port": 5020}
  {"event": "request", "op": "read" | "write" | "rejected", "unit": 1, "fc": 3, "address": 0,
   "count": 10, "values": [...] (writes only), "t": <monotonic ms>}
"""
import asyncio
import json
import sys
import time

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock
from pymodbus.server.async_io import StartAsyncSerialServer, StartAsyncTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

READ_FCS = (1, 2, 3, 4)
BLOCK_KEYS = {"coils": "co", "discrete": "di", "holding": "hr", "input": "ir"}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class LoggingSlaveContext(ModbusSlaveContext):
    """A slave context that reports every request it serves, with its real function code."""

    def __init__(self, unit, log, **kwargs):
        super().__init__(**kwargs)
        self.unit = unit
        self.log = log

    def _emit(self, op, fc, address, count, values=None):
        if not self.log:
            return
        line = {"event": "request", "op": op, "unit": self.unit, "fc": fc,
                "address": address, "count": count, "t": time.monotonic() * 1000.0}
        if values is not None:
            line["values"] = [int(v) for v in values]
        emit(line)

    def validate(self, fc_as_hex, address, count=1):
        ok = super().validate(fc_as_hex, address, count)
        if not ok:
            self._emit("rejected", fc_as_hex, address, count)
        return ok

    def getValues(self, fc_as_hex, address, count=1):
        if fc_as_hex in READ_FCS:
            self._emit("read", fc_as_hex, address, count)
        return super().getValues(fc_as_hex, address, count)

    def setValues(self, fc_as_hex, address, values):
        self._emit("write", fc_as_hex, address, len(values), values)
        super().setValues(fc_as_hex, address, values)


def block_of(spec):
    """{address: value | [values]} or [values] (from address 0) -> a sparse block."""
    if spec is None:
        return ModbusSparseDataBlock({})
    if isinstance(spec, list):
        return ModbusSparseDataBlock(list(spec))
    return ModbusSparseDataBlock({int(k): v for k, v in spec.items()})


def build_context(cfg):
    log = cfg.get("log", True)
    slaves = {}
    for unit_key, unit_cfg in cfg.get("units", {}).items():
        unit = int(unit_key)
        blocks = {key: block_of(unit_cfg.get(name)) for name, key in BLOCK_KEYS.items()}
        slaves[unit] = LoggingSlaveContext(unit, log, zero_mode=True, **blocks)
    return ModbusServerContext(slaves=slaves, single=False)


async def serve_tcp(cfg, context):
    framer = ModbusRtuFramer if cfg.get("framer") == "rtu" else ModbusSocketFramer
    address = (cfg.get("host", "127.0.0.1"), int(cfg["port"]))
    server = await StartAsyncTcpServer(context=context, address=address, framer=framer,
                                       allow_reuse_address=True, defer_start=True)
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    emit({"event": "ready", "mode": "tcp", "port": address[1]})
    await task


async def serve_serial(cfg, context):
    server = await StartAsyncSerialServer(context=context, framer=ModbusRtuFramer,
                                          port=cfg["serialPort"],
                                          baudrate=int(cfg.get("baudrate", 9600)),
                                          defer_start=True)
    await server.start()
    emit({"event": "ready", "mode": "serial", "port": cfg["serialPort"]})
    await server.serve_forever()


def main():
    cfg = json.loads(sys.argv[1])
    context = build_context(cfg)
    serve = serve_serial if cfg.get("mode") == "serial" else serve_tcp
    try:
        asyncio.run(serve(cfg, context))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
