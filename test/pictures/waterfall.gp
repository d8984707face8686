# test/pictures/waterfall.gp: draws the P&L waterfall from the CSV of
# test/pictures/waterfall.sql.
#   gnuplot -e "datafile='waterfall.csv'; outfile='waterfall.svg'" test/pictures/waterfall.gp
# (an outfile ending in .png gives a PNG; scale=1e3 shows thousands).
if (!exists("datafile")) datafile = 'waterfall.csv'
if (!exists("outfile")) outfile = 'waterfall.svg'
if (!exists("scale")) scale = 1e6
unit = (scale == 1e6 ? 'millions' : (scale == 1e3 ? 'thousands' : sprintf('units of %g', scale)))
if (outfile[strlen(outfile)-3:] eq '.png') {
    set terminal pngcairo size 900,560 font 'Sans,11'
} else {
    set terminal svg size 900,560 font 'Helvetica,13' background rgb 'white'
}
set output outfile
set datafile separator ','

color(kind) = (kind eq 'total' ? 0x3b6ea5 : (kind eq 'down' ? 0xc8553d : 0x4f9d69))
lo(a, b) = (a < b ? a : b)
hi(a, b) = (a > b ? a : b)

set title 'Company P&L waterfall (client_profit over the whole ledger)' noenhanced
set ylabel sprintf('amount (%s)', unit)
set yrange [0:*]
set offsets 0.6, 0.6, 0, 0
set grid ytics lc rgb '#dddddd'
set border 3
set xtics nomirror rotate by -30 left
set ytics nomirror
set key off
set style fill solid 0.9 border -1
set bmargin 6

plot datafile using 1:(($3 + $4) / 2 / scale):(0.38):(abs($4 - $3) / 2 / scale):(color(strcol(5))):xtic(2) \
         every ::1 with boxxyerror lc rgb variable, \
     '' using 1:(hi($3, $4) / scale):(sprintf('%.2f', ($4 - $3) / scale)) every ::1 \
         with labels offset 0, 0.7 font ',11'
