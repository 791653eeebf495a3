# Simulated balancer chart of scaling-demo: latency percentiles for each
# policy. Variables (gnuplot -e): output, data ("policy p50_ms p99_ms
# p999_ms" rows).
set terminal pngcairo size 900,500 font ",10" noenhanced
set output output
set title "Simulated balancer over 200 servers, 90% utilisation, lognormal service times"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set ylabel "latency (ms)"
set yrange [0:*]
set key top right
plot data using 2:xtic(1) title "p50", '' using 3 title "p99", '' using 4 title "p99.9"
