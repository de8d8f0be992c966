# Plots of a ctbench results directory (run inside it by ctbench.sh):
#   latency.png  distribution (CDF) of the per-follower latency, engine
#                (solid) and floor (dashed), one colour per follower count,
#                for the plain-HTTP cells without injected latency;
#   fanout.png   p99 per-follower latency, p99 latency of the last
#                follower of each event and p99 of its acknowledgement
#                against the number of followers, engine and floor, one
#                panel per (latency, transport).
# Variables given with -e: followers, latencies, transports (word lists).
set terminal pngcairo size 1000,600 noenhanced font ",10"
set grid
set key right bottom

set output "latency.png"
set title "Leader frame written -> follower request received (plain HTTP, no injected latency)"
set logscale x
set xlabel "microseconds"
set ylabel "fraction of follower requests"
set yrange [0:1]
l0 = word(latencies, 1)
t0 = word(transports, 1)
plot for [i=1:words(followers)] \
       sprintf("latency_f%s_l%s_%s_engine.dat", word(followers, i), l0, t0) \
       using 1:2 with lines lw 2 lc i title sprintf("engine, %s followers", word(followers, i)), \
     for [i=1:words(followers)] \
       sprintf("latency_f%s_l%s_%s_floor.dat", word(followers, i), l0, t0) \
       using 1:2 with lines dt 2 lc i title sprintf("floor, %s followers", word(followers, i))

set title ""
set yrange [*:*]
set terminal pngcairo size 1000,800 noenhanced font ",10"
set output "fanout.png"
set logscale xy
set xlabel "followers"
set ylabel "microseconds"
set key left top font ",8" samplen 2
set multiplot layout words(transports), words(latencies) title "Fan-out: p99 per follower and p99 of the last follower of each event"
do for [t=1:words(transports)] {
  do for [l=1:words(latencies)] {
    f = sprintf("fanout_%s_%s.dat", word(latencies, l), word(transports, t))
    set title sprintf("%s ms API latency, %s", word(latencies, l), word(transports, t))
    plot f using 1:3 with linespoints lw 2 lc 1 title "engine p99", \
         f using 1:4 with linespoints lw 2 lc 2 title "engine last p99", \
         f using 1:5 with linespoints dt 2 lc 1 title "floor p99", \
         f using 1:6 with linespoints dt 2 lc 2 title "floor last p99", \
         f using 1:7 with linespoints lw 2 lc 4 title "engine last ack p99"
  }
}
unset multiplot
