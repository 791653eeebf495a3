# Horizontal scaling chart of scaling-demo: requests per second against
# instances behind HAProxy, and each balance algorithm's shares of three
# instances. Variables (gnuplot -e): output, data, shares.
set terminal pngcairo size 1200,500 font ",10" noenhanced
set output output
set multiplot layout 1,2 title "Instances behind HAProxy on this machine"

set title "throughput against instances (round robin, 1 thread each)"
set xlabel "instances"
set ylabel "requests per second"
set key top left
set grid
set xrange [0.5:*]
set xtics 1
set yrange [0:*]
plot data using 1:2 with linespoints pt 7 title "io handler (1 ms wait)", \
     data using 1:3 with linespoints pt 5 title "cpu handler (hashing loop)"

set title "share of responses per instance (10,000 keys)"
set xtics auto
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xlabel ""
set ylabel "percent of responses"
set yrange [0:100]
set xrange [*:*]
set key top right
plot shares using 2:xtic(1) title "app-1", '' using 3 title "app-2", '' using 4 title "app-3"
unset multiplot
