# Sharding chart of scaling-demo, from WriteShardData (scaling/shard_report.h):
# block 0 holds "scheme nodes busiest_over_mean moved_on_add moved_on_remove
# lookup_ns". Variables (gnuplot -e): output, data, nodes (the node count
# before one is added or removed) and epsilon (bounded loads' slack).
set terminal pngcairo size 1200,500 font ",10" noenhanced
set output output
set multiplot layout 1,3 title sprintf("Sharding schemes over %d nodes", nodes)
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key off
set xtics rotate by -30
# Each ideal is a horizontal line across the 5 schemes' bars (x = 0 to 4).
set xrange [-0.6:4.6]

# Start at 0, so bar heights compare as ratios.
set title "busiest node / mean"
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set key top left Left reverse opaque
plot data index 0 using 3:xtic(1) lc rgb "#4477aa" notitle, \
     1.0 with lines dashtype 2 lw 2 lc rgb "black" title "ideal 1.0", \
     1 + epsilon with lines dashtype 3 lw 2 lc rgb "#cc3311" \
       title sprintf("bounded loads' cap, 1 + epsilon = %.2f", 1 + epsilon)

set title "fraction of keys moved (ideal: the node's share)"
set offsets 0, 0, graph 0.3, 0
plot data index 0 using 4:xtic(1) title "node added" lc rgb "#228833", \
     '' index 0 using 5 title "node removed" lc rgb "#ccbb44", \
     1.0 / (nodes + 1) with lines dashtype 2 lw 2 lc rgb "#228833" \
       title sprintf("ideal on add, 1/%d", nodes + 1), \
     1.0 / nodes with lines dashtype 3 lw 2 lc rgb "#998822" \
       title sprintf("ideal on remove, 1/%d", nodes)

set title "lookup time (ns)"
set offsets 0, 0, 0, 0
set key off
plot data index 0 using 6:xtic(1) lc rgb "#aa3377"
unset multiplot
