# test/pictures/whale_curve.gp: draws the whale curve from the CSV of
# test/pictures/whale_curve.sql.
#   gnuplot -e "datafile='whale.csv'; outfile='whale_curve.svg'" test/pictures/whale_curve.gp
# (an outfile ending in .png gives a PNG).
if (!exists("datafile")) datafile = 'whale_curve.csv'
if (!exists("outfile")) outfile = 'whale_curve.svg'
if (outfile[strlen(outfile)-3:] eq '.png') {
    set terminal pngcairo size 900,560 font 'Sans,11'
} else {
    set terminal svg size 900,560 font 'Helvetica,13' background rgb 'white'
}
set output outfile
set datafile separator ','

# the top of the curve: how few clients earn how much of the profit
stats datafile using 2 every ::1 nooutput
peak_y = STATS_max
stats datafile using ($2 == peak_y ? $1 : 1/0) every ::1 nooutput
peak_x = STATS_min

set title 'Whale curve: cumulative share of net profit, clients ranked by profit'
set xlabel 'share of clients, most profitable first (%)'
set ylabel 'cumulative share (%)'
set xrange [0:100]
set xtics 10
set ytics 20
set grid lc rgb '#dddddd'
set key bottom right box opaque
set border 3
set xtics nomirror
set ytics nomirror

ymax = ceil((peak_y + 14) / 20.0) * 20
set yrange [0:ymax]
set arrow from 0,100 to 100,100 nohead dt 2 lc rgb '#888888'
set arrow from peak_x,0 to peak_x,peak_y nohead dt 3 lc rgb '#3b6ea5'
set label sprintf('The most profitable %.0f%% of the clients earn %.1f%% of the profit; the other %.0f%% destroy %.1f%% of it.', \
    peak_x, peak_y, 100 - peak_x, peak_y - 100) at 2, ymax - 5 left tc rgb '#333333' noenhanced

plot datafile using 1:2 every ::1 with lines lw 3 lc rgb '#3b6ea5' title 'net profit (whale curve)', \
     '' using 1:3 every ::1 with lines lw 2 dt 2 lc rgb '#999999' title 'revenue (clients ranked by revenue)', \
     x with lines lw 1 lc rgb '#cccccc' title 'every client alike'
