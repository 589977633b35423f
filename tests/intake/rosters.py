"""Small roster files written in code, with generated children."""

HEADER = "Student ID,First Name,Last Name,DOB,Gender,Grade"


def roster(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


AVA = "00101,Ava,Okafor,2015-03-07,F,5"
MIA = "00102,Mia,Okafor,2015-03-07,F,5"
LEO = "00103,Leo,Brennan,2014-11-30,M,6"
