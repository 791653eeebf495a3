# Sharding chart of scaling-demo, from WriteShardData (scaling/shard_report.h):
# block 0 holds "scheme nodes busiest_over_mean moved_on_add moved_on_remove
# lookup_ns". Variables (gnuplot -e): output, data.
set terminal pngcairo size 1200,500 font ",10" noenhanced
set output output
set multiplot layout 1,3 title "Sharding schemes over 10 nodes"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key off
set xtics rotate by -30

set title "busiest node / mean (ideal 1.0)"
set yrange [0.9:*]
plot data index 0 using 3:xtic(1) lc rgb "#4477aa"

set title "fraction of keys moved"
set yrange [0:*]
# Leave room above the bars for the key.
set offsets 0, 0, graph 0.2, 0
set key top left
plot data index 0 using 4:xtic(1) title "node added" lc rgb "#228833", \
     '' index 0 using 5 title "node removed" lc rgb "#ccbb44"

set title "lookup time (ns)"
set offsets 0, 0, 0, 0
set key off
plot data index 0 using 6:xtic(1) lc rgb "#aa3377"
unset multiplot
