#!/usr/bin/env python3
# Throughput of an exported model on ONNX Runtime's CUDA and CPU execution providers, by batch size,
# with the CUDA/CPU output difference and the execution provider each graph node ran on.
# Used where the Java GPU build cannot run (a GPU machine with Python's onnxruntime but no JDK);
# the graph is the file the stream job loads, the runtime is Python's, so read the figures as the
# graph's cost on that GPU, not as the job's. Usage: ort-gpu-bench.py MODEL.onnx OUT.json
import json, os, sys, tempfile, time, glob
import numpy as np
import onnxruntime as ort

model, out_path = sys.argv[1], sys.argv[2]
result = {"onnxruntime": ort.__version__, "available_providers": ort.get_available_providers(), "runs": []}


def session(providers, threads=0, profile_dir=None):
    so = ort.SessionOptions()
    so.log_severity_level = 1  # warnings: nodes not placed on the preferred provider are reported
    if threads:
        so.intra_op_num_threads = threads
    if profile_dir:
        so.enable_profiling = True
        so.profile_file_prefix = os.path.join(profile_dir, "p")
    return ort.InferenceSession(model, so, providers=providers)


def timed(s, x, min_seconds=1.5, min_runs=20):
    name = s.get_inputs()[0].name
    for _ in range(3):
        s.run(None, {name: x})
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        s.run(None, {name: x})
        times.append(time.perf_counter() - t0)
        if len(times) >= 2000:
            break
    times.sort()
    med = times[len(times) // 2]
    return {"batch": int(x.shape[0]), "runs": len(times), "median_ms": med * 1e3,
            "p10_ms": times[len(times) // 10] * 1e3, "utterances_per_s": x.shape[0] / med}


probe = session(["CPUExecutionProvider"])
inp = probe.get_inputs()[0]
frames, coeffs = int(inp.shape[1]), int(inp.shape[2])
result["input"] = {"name": inp.name, "shape": [str(d) for d in inp.shape], "type": inp.type}
rng = np.random.default_rng(42)
batches = [1, 4, 16, 64, 256, 1024, 4096]
xs = {b: rng.standard_normal((b, frames, coeffs)).astype(np.float32) * 50 for b in batches}

if "CUDAExecutionProvider" in ort.get_available_providers():
    with tempfile.TemporaryDirectory() as d:
        cuda = session(["CUDAExecutionProvider", "CPUExecutionProvider"], profile_dir=d)
        result["cuda_session_providers"] = cuda.get_providers()
        y_gpu = cuda.run(None, {inp.name: xs[64]})[0]
        cuda.end_profiling()
        placed = {}
        for f in glob.glob(os.path.join(d, "*.json")):
            for ev in json.load(open(f)):
                if ev.get("cat") == "Node" and "provider" in ev.get("args", {}):
                    placed.setdefault(ev["args"]["provider"], set()).add(ev["name"].rsplit("_kernel_time", 1)[0])
        result["nodes_by_provider"] = {k: len(v) for k, v in placed.items()}
        result["cpu_nodes"] = sorted(placed.get("CPUExecutionProvider", set()))[:50]
    y_cpu = probe.run(None, {inp.name: xs[64]})[0]
    result["cuda_vs_cpu_max_abs_diff"] = float(np.max(np.abs(y_gpu - y_cpu)))
    cuda = session(["CUDAExecutionProvider", "CPUExecutionProvider"])
    for b in batches:
        r = timed(cuda, xs[b]); r["provider"] = "cuda"; result["runs"].append(r); print(r, flush=True)
else:
    result["cuda_missing"] = "no CUDAExecutionProvider in this onnxruntime build"

for threads in (1, os.cpu_count()):
    cpu = session(["CPUExecutionProvider"], threads=threads)
    for b in (1, 16, 64, 256):
        r = timed(cpu, xs[b], min_seconds=1.0, min_runs=5); r["provider"] = "cpu-%d-threads" % threads
        result["runs"].append(r); print(r, flush=True)

json.dump(result, open(out_path, "w"), indent=1)
print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=1))
