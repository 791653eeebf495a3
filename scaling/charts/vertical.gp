# Vertical scaling chart of scaling-demo: requests per second against server
# threads, io and cpu handlers side by side, with the USL fit drawn over the
# reuse-port points. Variables (gnuplot -e): output, data, cores, and for
# each prefix io and cpu: <prefix>_ok (0 or 1), <prefix>_sigma,
# <prefix>_kappa, <prefix>_lambda, and the predicted peak <prefix>_peak_n
# threads and <prefix>_peak_x req/s (both 0 when there is none to draw),
# and <prefix>_noisy, a note on a series that fell too far between two
# points ('' when none did).
set terminal pngcairo size 1200,500 font ",10" noenhanced
set output output
set multiplot layout 1,2 title sprintf("One instance, more threads (this machine: %d cores)", cores)

usl(n, sigma, kappa, lambda) = lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))
# grouped(n) writes a whole number with thousands separators, as the demo
# prints it: grouped(12345) is "12,345".
grouped(n) = n < 1000 ? sprintf("%d", n) : grouped(n / 1000) . sprintf(",%03d", n % 1000)
# The fit starts at 1 thread, the first measured point.
fitted(n, sigma, kappa, lambda) = n < 1 ? 1/0 : usl(n, sigma, kappa, lambda)
set xlabel "server threads"
set ylabel "requests per second"
set key top left Left reverse opaque
# Leave room above the points for the key.
set offsets 0, 0, graph 0.4, 0
set grid
set xrange [0.5:*]
set xtics 1
set yrange [0:*]
set samples 200
set arrow 1 from cores, graph 0 to cores, graph 1 nohead dashtype 2 lc rgb "gray"
set label 1 sprintf(" %d cores", cores) at cores, graph 0.32 left textcolor rgb "gray40"

set title "io handler: a 1 ms blocking wait per request"
set label 2 "waiting threads use no CPU, so they scale past the cores" at graph 0.02, graph 0.04 left textcolor rgb "gray40"
if (io_ok && io_peak_n > 0) {
  set label 3 sprintf("predicted peak\n%s req/s, %.1f threads", grouped(int(io_peak_x + 0.5)), io_peak_n) \
    at io_peak_n, io_peak_x center point pt 6 ps 2 offset 0, 2.5
}
if (strlen(io_noisy) > 0) {
  set label 4 "noisy: rerun\n".io_noisy at graph 0.02, graph 0.2 left textcolor rgb "#cc3311"
}
if (io_ok) {
  plot data using 1:2 with linespoints pt 7 title "io_context per thread (SO_REUSEPORT)", \
       data using 1:3 with linespoints pt 5 title "one shared io_context", \
       fitted(x, io_sigma, io_kappa, io_lambda) with lines dashtype 3 lw 2 \
         title sprintf("USL fit of the SO_REUSEPORT points: sigma %.3f, kappa %.4f", io_sigma, io_kappa)
} else {
  plot data using 1:2 with linespoints pt 7 title "io_context per thread (SO_REUSEPORT)", \
       data using 1:3 with linespoints pt 5 title "one shared io_context"
}

set title "cpu handler: a hashing loop per request"
set label 2 "past the cores, CPU-bound threads only take turns" at graph 0.02, graph 0.04 left textcolor rgb "gray40"

unset label 3
unset label 4
if (strlen(cpu_noisy) > 0) {
  set label 4 "noisy: rerun\n".cpu_noisy at graph 0.02, graph 0.2 left textcolor rgb "#cc3311"
}
if (cpu_ok && cpu_peak_n > 0) {
  set label 3 sprintf("predicted peak\n%s req/s, %.1f threads", grouped(int(cpu_peak_x + 0.5)), cpu_peak_n) \
    at cpu_peak_n, cpu_peak_x center point pt 6 ps 2 offset 0, 2.5
}
if (cpu_ok) {
  plot data using 1:4 with linespoints pt 7 title "io_context per thread (SO_REUSEPORT)", \
       data using 1:5 with linespoints pt 5 title "one shared io_context", \
       fitted(x, cpu_sigma, cpu_kappa, cpu_lambda) with lines dashtype 3 lw 2 \
         title sprintf("USL fit of the SO_REUSEPORT points: sigma %.3f, kappa %.4f", cpu_sigma, cpu_kappa)
} else {
  plot data using 1:4 with linespoints pt 7 title "io_context per thread (SO_REUSEPORT)", \
       data using 1:5 with linespoints pt 5 title "one shared io_context"
}
unset multiplot
