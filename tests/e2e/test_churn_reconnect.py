"""The camera server goes away for 12 s and comes back, 10 times (issue 18):
after every return each camera records again within 5 s (the backoff has
grown to several seconds by then; the TCP probe must cut it short)."""
import time

from wwtest import Camsim, Station, check, finish, log

N, ROUNDS, DOWN_S = 3, 10, 12
cams = Camsim(cameras=N).start()
port = cams.port
st = Station("churn-reconnect").init()
try:
    ids = [st.add_camera(f"Cam {n}", cams.url(n)) for n in range(1, N + 1)]
    st.serve("--segment-seconds", "10")

    def frames():
        return {i: st.stream_stats(i).get("record", {}).get("frames", 0) for i in ids}

    up = st.wait_for(lambda: all(v > 25 for v in frames().values()), 30)
    check(up, "all cameras recording", "frames > 25", frames())
    worst = 0.0
    for k in range(ROUNDS):
        cams.stop()
        time.sleep(DOWN_S)
        cams = Camsim(cameras=N, port=port).start()
        t_back = time.time()
        before = frames()
        # recording again = the recorder's frame count moves past its level at the return
        ok = st.wait_for(lambda: all(v > before[i] + 5 for i, v in frames().items()), 10, step=0.1)
        took = time.time() - t_back
        worst = max(worst, took)
        check(ok and took <= 5.0, f"return {k + 1}: every camera records again within 5 s", "<= 5 s",
              f"{took:.2f} s ({frames()})")
    log(f"worst return-to-recording: {worst:.2f} s")
    rc = st.stop()
    check(rc == 0, "serve exits 0 on SIGTERM", 0, rc)
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
